"""Properties (Immobilien), their media, contact roles and viewers, and the office's property settings.
Search profiles and matches are the matching app's.

Field names and value lists (`choices`) follow OpenImmo 1.2.7 (objektart, vermarktungsart, nutzungsart,
zustand, energiepass, ausstattung, anhang gruppe), so the portal export can write them without a mapping
table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.countries import country_code
from maklerwerk.core.numbers import format_german_number
from maklerwerk.core.validation import SingleLineFields
from maklerwerk.properties.choices import (
    ENERGY_CLASS_LIMITS,
    FEATURE_BITS,
    NON_NEGATIVE,
    OBJECT_SUBTYPES,
    Condition,
    EnergyBuildingType,
    EnergyCarrier,
    EnergyCertificateStatus,
    EnergyCertificateType,
    EnergyClass,
    Feature,
    HeatingType,
    MarketingType,
    ObjectKind,
    Usage,
    Vacancy,
    area,
    energy_class_for,
    mask_of,
    money,
    subtype_label,
)
from maklerwerk.properties.geo import geo_band, normalize_place
from maklerwerk.properties.kennung import validate_pattern


class PropertyQuerySet(models.QuerySet["Property"]):
    def visible_to(self, user: object) -> PropertyQuerySet:
        """Rows `user` may see: office-wide ones, their own, and those shared with them."""
        if getattr(user, "effective_role", None) == "admin":
            return self
        user_id = getattr(user, "pk", None)
        shared = PropertyViewer.objects.filter(user=user_id).values("property_id")
        return self.filter(
            models.Q(visibility=Property.Visibility.OFFICE)
            | models.Q(responsible_agent_id=user_id)
            | models.Q(pk__in=shared)
        )


class Property(SingleLineFields, models.Model):
    """A property the office markets (Immobilie/Objekt). Fields follow OpenImmo."""

    class Status(models.TextChoices):
        PREPARATION = "preparation", _("In preparation")
        ACTIVE = "active", _("Active marketing")
        RESERVED = "reserved", _("Reserved")
        CLOSED = "closed", _("Sold / let")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Visibility(models.TextChoices):
        OFFICE = "office", _("Everyone in the office")
        RESTRICTED = "restricted", _("Responsible agent, administrators and selected users")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="properties")
    external_id = models.CharField(_("external id (Kennung)"), max_length=50)
    title = models.CharField(_("title"), max_length=300, blank=True)
    object_kind = models.CharField(
        _("object kind"), max_length=40, choices=ObjectKind.choices, default=ObjectKind.WOHNUNG
    )
    object_subtype = models.CharField(_("object subtype"), max_length=40, blank=True)  # OBJECT_SUBTYPES
    marketing_type = models.CharField(
        _("marketing type"), max_length=20, choices=MarketingType.choices, default=MarketingType.KAUF
    )
    usage = models.CharField(_("usage"), max_length=10, choices=Usage.choices, default=Usage.WOHNEN)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREPARATION)
    responsible_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_properties",
        verbose_name=_("responsible agent"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.OFFICE
    )
    # Address (OpenImmo geo)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=3, default="DEU")  # ISO 3166-1 alpha-3 (OpenImmo)
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
    show_address = models.BooleanField(_("show exact address publicly"), default=False)
    # Prices (OpenImmo preise)
    purchase_price = models.DecimalField(_("purchase price"), validators=NON_NEGATIVE, **money)
    cold_rent = models.DecimalField(_("cold rent"), validators=NON_NEGATIVE, **money)
    warm_rent = models.DecimalField(_("warm rent"), validators=NON_NEGATIVE, **money)
    service_charges = models.DecimalField(_("service charges"), validators=NON_NEGATIVE, **money)
    deposit = models.DecimalField(_("deposit"), validators=NON_NEGATIVE, **money)
    hausgeld = models.DecimalField(_("monthly owners' fee (Hausgeld)"), validators=NON_NEGATIVE, **money)
    commission_free = models.BooleanField(_("commission-free for the buyer/tenant"), default=False)
    buyer_commission_text = models.CharField(_("buyer's commission"), max_length=200, blank=True)
    buyer_commission_percent = models.DecimalField(
        _("buyer's commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    # Areas (OpenImmo flaechen)
    living_area = models.DecimalField(_("living area (m²)"), validators=NON_NEGATIVE, **area)
    usable_area = models.DecimalField(_("usable area (m²)"), validators=NON_NEGATIVE, **area)
    plot_area = models.DecimalField(_("plot area (m²)"), validators=NON_NEGATIVE, **area)
    rooms = models.DecimalField(
        _("rooms"), max_digits=4, decimal_places=1, null=True, blank=True, validators=NON_NEGATIVE
    )
    bedrooms = models.PositiveSmallIntegerField(_("bedrooms"), null=True, blank=True)
    bathrooms = models.PositiveSmallIntegerField(_("bathrooms"), null=True, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    floors_total = models.PositiveSmallIntegerField(_("number of floors"), null=True, blank=True)
    parking_spaces = models.PositiveSmallIntegerField(_("parking spaces"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(
        _("year built"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
    )
    condition = models.CharField(_("condition"), max_length=30, choices=Condition.choices, blank=True)
    vacancy = models.CharField(_("vacant"), max_length=20, choices=Vacancy.choices, blank=True)
    vacant_from = models.DateField(_("vacant from"), null=True, blank=True)
    heating_type = models.CharField(_("heating type"), max_length=20, choices=HeatingType.choices, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    # Energy certificate (GEG §87: what an advertisement must state)
    energy_certificate_status = models.CharField(
        _("energy certificate"), max_length=20, choices=EnergyCertificateStatus.choices, blank=True
    )
    energy_building_type = models.CharField(
        _("building type (certificate)"), max_length=10, choices=EnergyBuildingType.choices, blank=True
    )
    energy_certificate_type = models.CharField(
        _("energy certificate type"), max_length=10, choices=EnergyCertificateType.choices, blank=True
    )
    energy_value = models.DecimalField(
        _("energy value kWh/(m²·a)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    energy_hot_water_included = models.BooleanField(
        _("hot water included (consumption value)"), null=True, blank=True
    )
    # Non-residential certificates state electricity and heat separately (OpenImmo stromwert/waermewert).
    energy_value_power = models.DecimalField(
        _("electricity value kWh/(m²·a)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    energy_value_heat = models.DecimalField(
        _("heat value kWh/(m²·a)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    energy_class = models.CharField(
        _("energy efficiency class"), max_length=2, choices=EnergyClass.choices, blank=True
    )
    energy_carrier = models.CharField(
        _("primary energy carrier"), max_length=20, choices=EnergyCarrier.choices, blank=True
    )
    energy_building_year = models.PositiveSmallIntegerField(
        _("year of construction (certificate)"), null=True, blank=True
    )
    energy_issue_date = models.DateField(_("certificate issued on"), null=True, blank=True)
    energy_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    # Texts (OpenImmo freitexte)
    description = models.TextField(_("description"), blank=True)
    location_text = models.TextField(_("location"), blank=True)
    features_text = models.TextField(_("features description"), blank=True)
    other_text = models.TextField(_("other information"), blank=True)
    # Derived columns for indexed matching; set by `refresh_match_fields()`.
    match_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    city_key = models.CharField(max_length=100, blank=True, editable=False)
    district_key = models.CharField(max_length=100, blank=True, editable=False)
    features_mask = models.BigIntegerField(default=0, editable=False)
    geo_band = models.SmallIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "external_id"], name="property_external_id_per_office")
        ]
        indexes = [
            models.Index(fields=["office", "-updated_at"], name="property_office_recent"),
            models.Index(
                fields=["office", "marketing_type", "status", "postal_code"], name="property_match_postal"
            ),
            models.Index(
                fields=["office", "marketing_type", "status", "city_key"], name="property_match_city"
            ),
            models.Index(
                fields=["office", "marketing_type", "status", "district_key"], name="property_match_district"
            ),
            models.Index(
                fields=[
                    "office",
                    "marketing_type",
                    "status",
                    "geo_band",
                    "longitude",
                    # Not for the search, but to reject without reading the row:
                    "latitude",
                    "object_kind",
                    "match_price",
                    "living_area",
                ],
                name="property_match_band",
            ),
            models.Index(
                fields=["office", "marketing_type", "status", "match_price"], name="property_match_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}".strip()

    @classmethod
    def history_value(cls, name: str, value: Any) -> str | None:
        """Codes the history and merge views show by name (core/history_display.py): the sub-type
        has its choices per kind, not on the field ("MAISONETTE" is "Maisonette")."""
        if name == "object_subtype" and isinstance(value, str):
            for rows in OBJECT_SUBTYPES.values():
                label = dict(rows).get(value)
                if label is not None:
                    return str(label)
        return None

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        try:
            self.country = country_code(self.country, alpha=3)  # "DE" and "DEU" alike
        except ValueError:
            errors["country"] = _("Unknown country “%(code)s”: choose one from the list.") % {
                "code": self.country
            }
        if self.object_subtype and self.object_subtype not in dict(OBJECT_SUBTYPES.get(self.object_kind, [])):
            errors["object_subtype"] = _(
                "“%(subtype)s” is no sub-type of %(kind)s: choose one from the list."
            ) % {
                "subtype": self.object_subtype,
                "kind": self.get_object_kind_display(),
            }
        unknown = [f for f in self.features or [] if f not in FEATURE_BITS]
        if unknown:
            errors["features"] = _("Unknown features: %(codes)s") % {"codes": ", ".join(map(str, unknown))}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        if (
            self.energy_issue_date
            and self.energy_valid_until
            and self.energy_valid_until < self.energy_issue_date
        ):
            errors["energy_valid_until"] = _("The certificate cannot expire before it was issued.")
        if self.vacant_from and not self.vacancy:
            self.vacancy = Vacancy.FROM_DATE  # a date alone says it
        if self.vacancy == Vacancy.FROM_DATE and not self.vacant_from:
            errors["vacant_from"] = _("Enter the date from which the property is vacant.")
        elif self.vacancy and self.vacancy != Vacancy.FROM_DATE and self.vacant_from:
            errors["vacant_from"] = _(
                "Either a date or “%(choice)s”, not both: remove the date or choose “from a date”."
            ) % {"choice": self.get_vacancy_display()}
        if self.commission_free and self.buyer_commission_percent:
            errors["buyer_commission_percent"] = _(
                "The property is marked commission-free: remove the buyer's commission or the mark."
            )
        energy_error = self._energy_class_error()
        if energy_error:
            errors["energy_class"] = energy_error
        errors.update(self._energy_status_errors())
        if errors:
            raise ValidationError(errors)

    def _energy_status_errors(self) -> dict[str, str | Promise]:
        """A certificate's data only with a certificate; hot water only on a consumption certificate."""
        errors: dict[str, str | Promise] = {}
        if (
            self.energy_certificate_status
            and self.energy_certificate_status != EnergyCertificateStatus.AVAILABLE
        ):
            stated = [
                f for f in ("energy_certificate_type", "energy_value", "energy_class", "energy_issue_date")
                if getattr(self, f) not in (None, "")
            ]  # fmt: skip
            if stated:
                errors[stated[0]] = _(
                    "“%(status)s” is chosen: leave the certificate's data empty or choose "
                    "“Certificate available”."
                ) % {"status": self.get_energy_certificate_status_display()}
        elif (
            self.energy_certificate_status == EnergyCertificateStatus.AVAILABLE
            and not self.energy_certificate_type
        ):
            errors["energy_certificate_type"] = _(
                "Choose the kind of certificate (demand or consumption): portals must show it (GEG §87)."
            )
        if (
            self.energy_hot_water_included is not None
            and self.energy_certificate_type
            and self.energy_certificate_type != EnergyCertificateType.VERBRAUCH
        ):
            errors["energy_hot_water_included"] = _(
                "Only a consumption certificate states whether hot water is included."
            )
        return errors

    @property
    def energy_status(self) -> str:
        """The certificate status, derived where it was never set: a stated type means one exists."""
        if self.energy_certificate_status:
            return self.energy_certificate_status
        return EnergyCertificateStatus.AVAILABLE if self.energy_certificate_type else ""

    def _energy_class_error(self) -> str | None:
        """Class and value of a certificate must agree (GEG Anlage 10), e.g. not A with 211 kWh."""
        if not self.energy_class or self.energy_value is None or self.energy_class not in ENERGY_CLASS_LIMITS:
            return None
        value = Decimal(self.energy_value)
        fits = energy_class_for(value)
        if fits == self.energy_class:
            return None

        low, high = ENERGY_CLASS_LIMITS[self.energy_class]  # whole numbers
        span = (
            _("from %(low)s to under %(high)s")
            % {"low": format_german_number(low, 0), "high": format_german_number(high, 0)}
            if high is not None
            else _("from %(low)s") % {"low": format_german_number(low, 0)}
        )
        return _(
            "Energy class %(cls)s does not fit %(value)s kWh/(m²·a): class %(cls)s covers %(span)s "
            "kWh/(m²·a) (GEG Anlage 10), %(value)s kWh/(m²·a) is class %(fits)s. "
            "Please check the certificate."
        ) % {
            "cls": self.energy_class,
            "value": format_german_number(value, 0 if value == value.to_integral() else None),
            "span": span,
            "fits": fits,
        }

    @property
    def kind_display(self) -> str:
        """ "Wohnung (Maisonette)"."""
        kind = str(self.get_object_kind_display())
        return (
            f"{kind} ({subtype_label(self.object_kind, self.object_subtype)})"
            if self.object_subtype
            else kind
        )

    @property
    def vacancy_display(self) -> str:
        """ "sofort", "nach Vereinbarung" or "ab 01.03.2027" (empty when unknown)."""
        from django.utils.formats import date_format

        if self.vacant_from:
            return str(_("from %(date)s") % {"date": date_format(self.vacant_from, "SHORT_DATE_FORMAT")})
        return str(self.get_vacancy_display()) if self.vacancy else ""

    def refresh_match_fields(self) -> None:
        """Derived columns the matching indexes use."""
        self.match_price = (
            self.purchase_price if self.marketing_type == MarketingType.KAUF else self.cold_rent
        )
        self.city_key = normalize_place(self.city)
        self.district_key = normalize_place(self.district)
        self.geo_band = None if self.latitude is None else geo_band(float(self.latitude))
        self.features = sorted(set(self.features or []), key=lambda c: FEATURE_BITS.get(c, 1 << 62))
        self.features_mask = mask_of(self.features, FEATURE_BITS)

    def get_features_display(self) -> list[str]:
        labels = dict(Feature.choices)
        return [str(labels.get(code, code)) for code in self.features or []]

    @property
    def title_image(self) -> PropertyImage | None:
        return self.images.first()

    @property
    def price_display(self) -> Decimal | None:
        return self.purchase_price if self.marketing_type == MarketingType.KAUF else self.cold_rent

    def is_visible_to(self, user: object) -> bool:
        """May `user` see this property? (office, then visibility rules)"""
        if getattr(user, "office_id", None) != self.office_id:
            return False
        return Property.objects.filter(pk=self.pk).visible_to(user).exists()


class PropertyViewer(models.Model):
    """A user who may see a property with restricted visibility."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="viewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["property", "user"], name="property_viewer_unique")]
        indexes = [models.Index(fields=["user", "property"], name="property_viewer_user")]

    def __str__(self) -> str:
        return f"{self.property_id}: {self.user_id}"


def _image_path(instance: PropertyImage, filename: str) -> str:
    return f"properties/{instance.property_id}/images/{timezone.now():%Y%m%d%H%M%S}_{filename}"


def _document_path(instance: PropertyDocument, filename: str) -> str:
    return f"properties/{instance.property_id}/documents/{timezone.now():%Y%m%d%H%M%S}_{filename}"


class PropertyImage(models.Model):
    class Kind(models.TextChoices):
        """OpenImmo `anhang gruppe` for pictures."""

        PHOTO = "bild", _("Photo")
        FLOOR_PLAN = "grundriss", _("Floor plan")
        MAP = "karten_lageplan", _("Map / site plan")

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(_("image"), upload_to=_image_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=_image_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.file.name.rsplit("/", 1)[-1]  # type: ignore[union-attr]  # stored: named


class PropertyDocument(models.Model):
    class Kind(models.TextChoices):
        FLOOR_PLAN = "floor_plan", _("Floor plan")
        ENERGY_CERTIFICATE = "energy_certificate", _("Energy certificate")
        LAND_REGISTER = "land_register", _("Land-register extract")
        CADASTRAL_MAP = "cadastral_map", _("Cadastral map")
        DECLARATION_OF_DIVISION = "declaration_of_division", _("Declaration of division")
        OWNERS_MINUTES = "owners_minutes", _("Owners' meeting minutes")
        SITE_PLAN = "site_plan", _("Site plan")
        BUILDING_DESCRIPTION = "building_description", _("Building description")
        OTHER = "other", _("Other")

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=_document_path)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    protected = models.BooleanField(
        _("protected"), default=True, help_text=_("Only shared through personal links")
    )
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class PropertyContact(models.Model):
    """A contact's role on a property: owner, manager, tenant or interested party."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager (Verwalter)")
        TENANT = "tenant", _("Tenant")
        PROSPECT = "prospect", _("Interested party")

    class InterestStatus(models.TextChoices):
        NEW = "new", _("New")
        EXPOSE_SENT = "expose_sent", _("Exposé sent")
        VIEWING_PLANNED = "viewing_planned", _("Viewing planned")
        VIEWING_DONE = "viewing_done", _("Viewing done")
        OFFER = "offer", _("Offer")
        DECLINED = "declined", _("Declined")
        BOUGHT = "bought", _("Bought")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="property_roles")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    interest_status = models.CharField(
        _("interest status"), max_length=20, choices=InterestStatus.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "contact", "role"], name="property_contact_role_unique"
            )
        ]
        indexes = [models.Index(fields=["contact", "property"], name="property_contact_by_contact")]

    def __str__(self) -> str:
        return f"{self.contact} – {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == self.Role.PROSPECT and not self.interest_status:
            self.interest_status = self.InterestStatus.NEW
        if self.role != self.Role.PROSPECT:
            self.interest_status = ""


def _validate_kennung_pattern(value: str) -> None:

    validate_pattern(value)


class MatchSettings(models.Model):
    """The office's property settings: near-miss tolerances and the pattern of new external ids."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="match_settings")
    price_tolerance_percent = models.PositiveSmallIntegerField(
        _("price tolerance (%)"), default=10, validators=[MaxValueValidator(50)]
    )
    area_tolerance_percent = models.PositiveSmallIntegerField(
        _("area tolerance (%)"), default=10, validators=[MaxValueValidator(50)]
    )
    rooms_tolerance = models.DecimalField(
        _("rooms tolerance"),
        max_digits=3,
        decimal_places=1,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5))],
    )
    kennung_pattern = models.CharField(
        _("pattern for new external ids (Kennung)"),
        max_length=40,
        default="MW-{nr:04}",
        validators=[_validate_kennung_pattern],
        help_text=_(
            "{nr} is the running number ({nr:04}: four digits), {jahr} the year. MW-{nr:04} gives MW-0021."
        ),
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
