"""Appointments (Termine), viewing slots with seats, bookings through a personal link."""

from __future__ import annotations

import builtins
import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields


def _new_uid() -> str:
    return f"{uuid.uuid4()}@maklerwerk"


class Appointment(SingleLineFields, models.Model):
    """A date in the calendar of an agent, with contacts and optionally a property."""

    class Kind(models.TextChoices):
        VIEWING = "viewing", _("Viewing")
        ONLINE_VIEWING = "online_viewing", _("Online viewing")
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Phone appointment")
        HANDOVER = "handover", _("Handover")
        NOTARY = "notary", _("Notary appointment")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("called off")
        DONE = "done", _("took place")
        NO_SHOW = "no_show", _("did not show up")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VIEWING)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=300, blank=True)
    # An online viewing's live link: the tour provider's live session or any video room.
    video_url = models.URLField(_("live viewing link"), max_length=1000, blank=True)
    property = models.ForeignKey(
        "properties.Property",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", blank=True, related_name="+", verbose_name=_("contacts")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    # Colleagues who attend too: the appointment is in their calendar, feed, agenda and reminders.
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("colleagues")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    # The invitation: the same UID for every mail about this appointment, SEQUENCE counts changes.
    uid = models.CharField(max_length=100, unique=True, default=_new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Every save sets it (callers with update_fields name it): the feed's ETag and cache key.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["office", "starts_at"], name="appointment_office_start"),
            models.Index(fields=["responsible", "starts_at"], name="appointment_user_start"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})

    @builtins.property
    def is_viewing(self) -> bool:
        return self.kind in {self.Kind.VIEWING, self.Kind.ONLINE_VIEWING}

    @builtins.property
    def is_open(self) -> bool:
        return self.status in {self.Status.PLANNED, self.Status.CONFIRMED}


class ViewingSlot(SingleLineFields, models.Model):
    """A bookable time for viewing one property, with seats (1 = individual, n = group viewing)."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("on site")
        ONLINE = "online", _("online")

    class Booking(models.TextChoices):
        DIRECT = "direct", _("direct booking")
        REQUEST = "request", _("request (the agent confirms)")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey(
        "properties.Property", on_delete=models.CASCADE, related_name="+", verbose_name=_("property")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("seats"), default=1)
    booked = models.PositiveIntegerField(_("booked"), default=0)
    location = models.CharField(_("location"), max_length=300, blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    booking_mode = models.CharField(
        _("booking"), max_length=20, choices=Booking.choices, default=Booking.DIRECT
    )
    # The booking page offers the slot only inside this window (empty: from now / until it starts).
    visible_from = models.DateTimeField(_("bookable from"), null=True, blank=True)
    visible_until = models.DateTimeField(_("bookable until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("viewing slot")
        verbose_name_plural = _("viewing slots")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["property", "starts_at"], name="viewingslot_property_start")]
        constraints = [
            # The seats are counted in the row itself: a booking is a conditional UPDATE of this row.
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="viewingslot_not_overbooked"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="viewingslot_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.property} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        if self.visible_from and self.visible_until and self.visible_until <= self.visible_from:
            raise ValidationError({"visible_until": _("“Bookable until” must be after “bookable from”.")})

    @builtins.property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingLink(models.Model):
    """The personal booking page of one contact for one property's viewing slots (only a hash of
    the token is stored; the mail carries the token)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking link")
        verbose_name_plural = _("booking links")

    def __str__(self) -> str:
        return f"{self.contact} → {self.property}"


class ViewingBooking(models.Model):
    """A contact's seat in a viewing slot; its appointment carries the invitation."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(ViewingSlot, on_delete=models.CASCADE, related_name="bookings")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="booking"
    )
    link = models.ForeignKey(BookingLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A request holds its seat until the agent confirms or declines it.
    requested = models.BooleanField(_("awaiting confirmation"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("viewing booking")
        verbose_name_plural = _("viewing bookings")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "contact"],
                condition=models.Q(cancelled_at__isnull=True),
                name="viewingbooking_once_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.slot}"


class AppointmentSettings(models.Model):
    """When the office's reminders and daily agendas go out (one row per office, created on use)."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    first_reminder_hours = models.PositiveSmallIntegerField(
        _("first reminder (hours before)"), default=24, help_text=_("0 = no reminder.")
    )
    second_reminder_hours = models.PositiveSmallIntegerField(
        _("second reminder (hours before)"), default=2, help_text=_("0 = no reminder.")
    )
    remind_agents = models.BooleanField(_("remind the responsible agent"), default=True)
    remind_contacts = models.BooleanField(_("remind the invited contacts"), default=True)
    agenda_enabled = models.BooleanField(_("daily agenda mail to every agent"), default=True)
    agenda_time = models.TimeField(_("agenda sent at"), default=dt.time(7, 0))
    privacy_text = models.TextField(
        _("privacy notice of the booking page"),
        blank=True,
        help_text=_("Shown to prospects on the booking page. Empty: a short default notice."),
    )

    class Meta:
        verbose_name = _("appointment settings")
        verbose_name_plural = _("appointment settings")

    def __str__(self) -> str:
        return str(self.office)

    def clean(self) -> None:
        super().clean()
        if self.first_reminder_hours > 24 * 14 or self.second_reminder_hours > 24 * 14:
            raise ValidationError(_("A reminder can be at most 14 days before the appointment."))


class ReminderClaim(models.Model):
    """One reminder or agenda mail, claimed (this row) before it is sent, so that a second run or a
    resumed job never sends it twice. `key` names what it is: kind, appointment, SEQUENCE (a moved
    appointment is reminded again), recipient; or agenda, user, day."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120, unique=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    to_email = models.CharField(max_length=254, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.key


class CalendarFeed(models.Model):
    """A user's personal, read-only iCal feed (only a hash of the secret in the URL is stored)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class BookingConsent(models.Model):
    """A prospect accepted the office's legal texts on the booking page, recorded like the document
    links' consent (`sharing.ConsentAcceptance`): text version, hashes, the text itself, network."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(BookingLink, on_delete=models.CASCADE, related_name="consents")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    text_version = models.CharField(_("text version"), max_length=64)
    cancellation_notice_sha256 = models.CharField(max_length=64)
    terms_sha256 = models.CharField(max_length=64, blank=True)
    accepted_text = models.TextField(_("accepted text"))
    ip_coarse = models.CharField(_("network"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("booking consent")
        verbose_name_plural = _("booking consents")
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contact} {self.accepted_at:%Y-%m-%d %H:%M}"


class AttendeeFeedback(models.Model):
    """What one attendee of a viewing said, and the interest status it set on the contact's link to
    the property (`properties.PropertyContact`, role prospect)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="attendee_feedback")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    interest_status = models.CharField(_("interest status"), max_length=20, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendee feedback")
        verbose_name_plural = _("attendee feedback")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "contact"], name="attendee_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact}: {self.interest_status}"
