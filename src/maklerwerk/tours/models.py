"""Virtual tours of a property, registrations on the gated tour page, access grants and visits.

Tokens are never stored: grants keep the SHA-256 of their personal token, the tour page key is a
random public id (the restricted link itself opens only the open rooms). The webhook secret is
stored encrypted because the server must compute the HMAC with it.
"""

from __future__ import annotations

import builtins
import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields
from maklerwerk.tours import providers

DEFAULT_GRANT_DAYS = 30


def _page_key() -> str:
    return secrets.token_urlsafe(16)


class Tour(SingleLineFields, models.Model):
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey(
        "properties.Property", on_delete=models.CASCADE, related_name="tours", verbose_name=_("property")
    )
    provider = models.CharField(
        _("provider"), max_length=20, choices=providers.CHOICES, default=providers.GENERIC
    )
    external_id = models.CharField(_("tour id (Kennung)"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    open_url = models.URLField(_("open link"), max_length=1000, blank=True)
    restricted_url = models.URLField(_("restricted link at the provider"), max_length=1000, blank=True)
    embed_url = models.URLField(_("embed URL"), max_length=1000, blank=True)
    requires_registration = models.BooleanField(_("registration required"), default=False)
    # [{"key": "wohnen", "name": "Wohnzimmer", "restricted": false}]
    rooms = models.JSONField(_("rooms"), default=list, blank=True)
    page_key = models.CharField(max_length=40, unique=True, default=_page_key, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Where a published tour does not go: "expose", "openimmo", "is24" or "portal:<id>".
    channels_off = models.JSONField(_("not published to"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("virtual tour")
        verbose_name_plural = _("virtual tours")
        ordering = ["property_id", "pk"]

    def __str__(self) -> str:
        return self.title or f"{providers.label(self.provider)} {self.external_id}".strip()

    @builtins.property
    def provider_label(self) -> str:
        return providers.label(self.provider)

    @builtins.property
    def gated(self) -> bool:
        return self.requires_registration or any(r.get("restricted") for r in self.rooms)

    def open_rooms(self) -> list[dict[str, str]]:
        return [r for r in self.rooms if not r.get("restricted")]

    def room_name(self, key: str) -> str:
        if key == "_seite":
            return "Rundgang"
        for room in self.rooms:
            if room.get("key") == key:
                return str(room.get("name") or key)
        return key


class Registration(SingleLineFields, models.Model):
    """A prospect registered on the gated tour page; the lead itself is an inquiry."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="registrations")
    inquiry = models.ForeignKey(
        "inquiries.Inquiry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.CharField(_("e-mail"), max_length=254)
    email_key = models.CharField(max_length=254, editable=False)  # lower-cased: one per tour
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    consent_version = models.CharField(max_length=64, blank=True)
    consent_text = models.TextField(blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("tour registration")
        verbose_name_plural = _("tour registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["tour", "email_key"], name="tour_registration_once")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _grant_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=DEFAULT_GRANT_DAYS)


class Grant(models.Model):
    """Full access of one contact to one tour through a personal link (only its hash is stored)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="grants")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="grants"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"), default=_grant_expiry)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("tour access")
        verbose_name_plural = _("tour accesses")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.contact} → {self.tour}"

    @builtins.property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Visit(models.Model):
    """One stay on the tour page (beacons) or one visit a provider reported (webhook).

    `rooms` holds seconds per room key; `closed_at` is set once, together with the activity.
    Anonymous visits (no grant, no known e-mail) carry no personal data at all."""

    class Source(models.TextChoices):
        PAGE = "page", _("Tour page")
        WEBHOOK = "webhook", _("Provider")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="visits")
    grant = models.ForeignKey(Grant, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PAGE)
    visit_key = models.CharField(max_length=100, editable=False)  # page visit id or provider visit_id
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    seen = models.JSONField(default=list, blank=True)  # beacon numbers taken (they may arrive out of order)
    beacons = models.PositiveIntegerField(default=0)
    current_room = models.CharField(max_length=100, blank=True)
    rooms = models.JSONField(default=dict, blank=True)  # {key: {"name": ..., "seconds": n}}
    activity = models.ForeignKey(
        "core.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tour visit")
        verbose_name_plural = _("tour visits")
        ordering = ["-started_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["tour", "visit_key"], name="tour_visit_once")]
        indexes = [models.Index(fields=["closed_at", "last_seen_at"], name="tour_visit_open")]

    def __str__(self) -> str:
        return f"{self.tour} {self.started_at:%Y-%m-%d %H:%M}"

    @builtins.property
    def total_seconds(self) -> int:
        return sum(int(r.get("seconds", 0)) for r in self.rooms.values())
