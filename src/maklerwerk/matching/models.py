"""Search profiles (Suchaufträge) and what matching makes of them: new matches for the agent,
personal self-service links for the contact, notifications.

The tables were created by the properties app and keep their names (`Meta.db_table`): the models
moved without touching the data (migration matching 0001, properties 0006).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.matching.engine import bounding_box
from maklerwerk.properties.choices import (
    FEATURE_BITS,
    KIND_BITS,
    MAX_PLACE_LENGTH,
    NON_NEGATIVE,
    EnergyClass,
    Feature,
    MarketingType,
    ObjectKind,
    area,
    mask_of,
    money,
)
from maklerwerk.properties.geo import normalize_place
from maklerwerk.properties.models import Property


class SearchProfile(models.Model):
    """What a contact is looking for (Suchauftrag). Each criterion is a must (K.O.) or a wish."""

    class LocationMode(models.TextChoices):
        ANY = "any", _("anywhere")
        AREAS = "areas", _("postal codes / places")
        RADIUS = "radius", _("radius around a point")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="search_profiles")
    name = models.CharField(_("name"), max_length=200, blank=True)
    marketing_type = models.CharField(
        _("marketing type"), max_length=20, choices=MarketingType.choices, default=MarketingType.KAUF
    )
    object_kinds = models.JSONField(_("object kinds"), default=list, blank=True)
    price_min = models.DecimalField(_("price from"), validators=NON_NEGATIVE, **money)
    price_max = models.DecimalField(_("price up to"), validators=NON_NEGATIVE, **money)
    living_area_min = models.DecimalField(_("living area from (m²)"), validators=NON_NEGATIVE, **area)
    living_area_max = models.DecimalField(_("living area up to (m²)"), validators=NON_NEGATIVE, **area)
    rooms_min = models.DecimalField(
        _("rooms from"), max_digits=4, decimal_places=1, null=True, blank=True, validators=NON_NEGATIVE
    )
    rooms_max = models.DecimalField(
        _("rooms up to"), max_digits=4, decimal_places=1, null=True, blank=True, validators=NON_NEGATIVE
    )
    plot_area_min = models.DecimalField(_("plot area from (m²)"), validators=NON_NEGATIVE, **area)
    postal_codes = models.JSONField(_("postal codes"), default=list, blank=True)
    cities = models.JSONField(_("cities or districts"), default=list, blank=True)
    radius_km = models.DecimalField(
        _("radius (km)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(500))],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    features = models.JSONField(_("required features"), default=list, blank=True)
    year_built_min = models.PositiveSmallIntegerField(
        _("built in or after"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
    )
    energy_class_worst = models.CharField(
        _("worst acceptable energy class"), max_length=2, choices=EnergyClass.choices, blank=True
    )
    # Must (K.O.) or wish, per criterion. Location and marketing type are always musts.
    object_kinds_must = models.BooleanField(_("object kind is a must"), default=True)
    price_must = models.BooleanField(_("price is a must"), default=True)
    living_area_must = models.BooleanField(_("living area is a must"), default=True)
    rooms_must = models.BooleanField(_("rooms are a must"), default=False)
    plot_area_must = models.BooleanField(_("plot area is a must"), default=False)
    features_must = models.BooleanField(_("features are a must"), default=False)
    year_built_must = models.BooleanField(_("year built is a must"), default=False)
    energy_class_must = models.BooleanField(_("energy class is a must"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    # Derived columns for indexed matching; set by `refresh_match_fields()`.
    location_mode = models.CharField(
        max_length=10, choices=LocationMode.choices, default=LocationMode.ANY, editable=False
    )
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    object_kinds_mask = models.BigIntegerField(default=0, editable=False)
    features_mask = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "properties_searchprofile"  # created by the properties app; the data stayed
        verbose_name = _("search profile")
        verbose_name_plural = _("search profiles")
        ordering = ["-active", "-updated_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-active"], name="profile_contact"),
            models.Index(
                fields=["office", "location_mode", "marketing_type", "active"], name="profile_match_mode"
            ),
            models.Index(fields=["office", "active", "valid_until"], name="profile_validity"),
        ]

    def __str__(self) -> str:
        return self.name or str(_("Search profile %(number)s") % {"number": self.pk or ""})

    MUST_FIELDS = (
        "object_kinds_must", "price_must", "living_area_must", "rooms_must", "plot_area_must",
        "features_must", "year_built_must", "energy_class_must",
    )  # fmt: skip

    def clean(self) -> None:
        errors: dict[str, object] = {}
        pairs = (
            ("price_min", "price_max", _("The minimum price is above the maximum.")),
            ("living_area_min", "living_area_max", _("The minimum living area is above the maximum.")),
            ("rooms_min", "rooms_max", _("The minimum number of rooms is above the maximum.")),
        )
        for low, high, message in pairs:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                errors[low] = message
        unknown_kinds = [k for k in self.object_kinds or [] if k not in KIND_BITS]
        if unknown_kinds:
            errors["object_kinds"] = _("Unknown object kinds: %(codes)s") % {
                "codes": ", ".join(map(str, unknown_kinds))
            }
        unknown = [f for f in self.features or [] if f not in FEATURE_BITS]
        if unknown:
            errors["features"] = _("Unknown features: %(codes)s") % {"codes": ", ".join(map(str, unknown))}
        geo = (self.radius_km, self.latitude, self.longitude)
        if any(v is not None for v in geo) and not all(v is not None for v in geo):
            errors["radius_km"] = _("A radius search needs a radius, a latitude and a longitude.")
        if not isinstance(self.postal_codes, list) or not all(
            isinstance(p, str) and p.strip().isdigit() and len(p.strip()) <= 5 for p in self.postal_codes
        ):
            errors["postal_codes"] = _("Postal codes are digits, at most five each.")
        if not isinstance(self.cities, list) or not all(
            isinstance(c, str) and len(normalize_place(c)) <= MAX_PLACE_LENGTH for c in self.cities
        ):
            errors["cities"] = _("Places are text of at most %(max)s characters each.") % {
                "max": MAX_PLACE_LENGTH
            }
        if errors:
            raise ValidationError(errors)

    def refresh_match_fields(self) -> None:
        """Derived columns the matching indexes use (location mode, bounding box, bit masks)."""
        self.postal_codes = sorted({p.strip() for p in self.postal_codes or [] if p and p.strip()})
        self.cities = list(dict.fromkeys(c.strip() for c in self.cities or [] if c and c.strip()))
        self.object_kinds = [k for k in ObjectKind.values if k in set(self.object_kinds or [])]
        self.features = [f for f in Feature.values if f in set(self.features or [])]
        self.object_kinds_mask = mask_of(self.object_kinds, KIND_BITS)
        self.features_mask = mask_of(self.features, FEATURE_BITS)
        self.min_lat = self.max_lat = self.min_lon = self.max_lon = None
        if self.radius_km is not None and self.latitude is not None and self.longitude is not None:
            self.location_mode = self.LocationMode.RADIUS
            self.min_lat, self.max_lat, self.min_lon, self.max_lon = bounding_box(
                float(self.latitude), float(self.longitude), float(self.radius_km)
            )
        elif self.postal_codes or self.cities:
            self.location_mode = self.LocationMode.AREAS
        else:
            self.location_mode = self.LocationMode.ANY

    def object_kinds_display(self) -> list[str]:
        labels = dict(ObjectKind.choices)
        return [str(labels.get(code, code)) for code in self.object_kinds or []]

    def features_display(self) -> list[str]:
        labels = dict(Feature.choices)
        return [str(labels.get(code, code)) for code in self.features or []]

    def area_keys(self) -> list[str]:
        return [f"plz:{p}" for p in self.postal_codes] + [f"ort:{normalize_place(c)}" for c in self.cities]

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class SearchProfileArea(models.Model):
    """One postal code or place of a profile, so "profiles wanting this place" is an index look-up."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(SearchProfile, on_delete=models.CASCADE, related_name="areas")
    key = models.CharField(max_length=130)  # "kauf|plz:60314" or "miete_pacht|ort:frankfurt am main"

    class Meta:
        db_table = "properties_searchprofilearea"  # created by the properties app; the data stayed
        indexes = [models.Index(fields=["office", "key", "profile"], name="profile_area_key")]

    def __str__(self) -> str:
        return self.key


class NewMatch(models.Model):
    """A pair that started to match after a change ("Neue Treffer"), for the responsible agent."""

    class Reason(models.TextChoices):
        NEW_LISTING = "new_listing", _("new in the portfolio")
        PRICE_DROP = "price_drop", _("price reduced")
        NOW_ACTIVE = "now_active", _("now in active marketing")
        PROPERTY_CHANGED = "property_changed", _("property changed")
        PROFILE_CHANGED = "profile_changed", _("search profile changed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(SearchProfile, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("what changed"), max_length=300, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "properties_newmatch"  # created by the properties app; the data stayed
        verbose_name = _("new match")
        verbose_name_plural = _("new matches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "seen_at", "-created_at"], name="newmatch_office_unseen"),
            models.Index(fields=["agent", "seen_at", "-created_at"], name="newmatch_agent_unseen"),
        ]

    def __str__(self) -> str:
        return f"{self.property} ↔ {self.profile}"


class SelfServiceLink(models.Model):
    """A personal link for a contact to enter or edit their own search profile (no login)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(
        SearchProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "properties_selfservicelink"  # created by the properties app; the data stayed
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contact} ({self.expires_at:%Y-%m-%d})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AgentNotification(models.Model):
    """Something the agent should act on, e.g. a contact updated their search profile themselves."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    profile = models.ForeignKey(
        SearchProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        db_table = "properties_agentnotification"  # created by the properties app; the data stayed
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "done_at", "-created_at"], name="notification_open")]

    def __str__(self) -> str:
        return self.message
