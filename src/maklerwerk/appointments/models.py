"""Appointments (Termine), viewing slots with seats, bookings through a personal link."""

from __future__ import annotations

import builtins
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
