"""Properties (Immobilien), their media and contact roles, search profiles (Suchprofile) and matches.

Field names and value lists follow OpenImmo 1.2.7 (objektart, vermarktungsart, nutzungsart, zustand,
energiepass, ausstattung, anhang gruppe), so the portal export can write them without a mapping table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.countries import country_code
from maklerwerk.core.validation import SingleLineFields
from maklerwerk.properties.geo import geo_band
from maklerwerk.properties.matching import bounding_box, normalize_place

money = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
area = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ObjectKind(models.TextChoices):
    """OpenImmo `objektart` (element names, lower case)."""

    WOHNUNG = "wohnung", _("Apartment")
    HAUS = "haus", _("House")
    GRUNDSTUECK = "grundstueck", _("Plot of land")
    BUERO_PRAXEN = "buero_praxen", _("Office / practice")
    EINZELHANDEL = "einzelhandel", _("Retail")
    GASTGEWERBE = "gastgewerbe", _("Hospitality")
    HALLEN_LAGER_PROD = "hallen_lager_prod", _("Hall / warehouse / production")
    LAND_UND_FORSTWIRTSCHAFT = "land_und_forstwirtschaft", _("Agriculture / forestry")
    PARKEN = "parken", _("Parking")
    ZIMMER = "zimmer", _("Room")
    ZINSHAUS_RENDITEOBJEKT = "zinshaus_renditeobjekt", _("Investment property")
    FREIZEITIMMOBILIE_GEWERBLICH = "freizeitimmobilie_gewerblich", _("Leisure property")
    SONSTIGE = "sonstige", _("Other")


class MarketingType(models.TextChoices):
    """OpenImmo `vermarktungsart` attributes, lower case."""

    KAUF = "kauf", _("Sale")
    MIETE_PACHT = "miete_pacht", _("Rent / lease")
    ERBPACHT = "erbpacht", _("Ground lease")
    LEASING = "leasing", _("Leasing")


class Usage(models.TextChoices):
    """OpenImmo `nutzungsart` attributes, lower case."""

    WOHNEN = "wohnen", _("Residential")
    GEWERBE = "gewerbe", _("Commercial")
    ANLAGE = "anlage", _("Investment")
    WAZ = "waz", _("Temporary living (WaZ)")


class Condition(models.TextChoices):
    """OpenImmo `zustand_art`, lower case."""

    ERSTBEZUG = "erstbezug", _("First occupancy")
    NEUWERTIG = "neuwertig", _("As new")
    VOLL_SANIERT = "voll_saniert", _("Fully refurbished")
    TEIL_SANIERT = "teil_saniert", _("Partly refurbished")
    VOLL_RENOVIERT = "voll_renoviert", _("Fully renovated")
    MODERNISIERT = "modernisiert", _("Modernised")
    GEPFLEGT = "gepflegt", _("Well kept")
    RENOVIERUNGSBEDUERFTIG = "renovierungsbeduerftig", _("Needs renovation")
    SANIERUNGSBEDUERFTIG = "sanierungsbeduerftig", _("Needs refurbishment")
    BAUFAELLIG = "baufaellig", _("Dilapidated")
    ABRISSOBJEKT = "abrissobjekt", _("For demolition")
    NACH_VEREINBARUNG = "nach_vereinbarung", _("By arrangement")


class Feature(models.TextChoices):
    """Features (OpenImmo `ausstattung`); the position defines the bit in `features_mask`."""

    BALKON = "balkon", _("Balcony")
    TERRASSE = "terrasse", _("Terrace")
    GARTEN = "garten", _("Garden")
    FAHRSTUHL = "fahrstuhl", _("Lift")
    KELLER = "keller", _("Cellar")
    STELLPLATZ = "stellplatz", _("Parking space")
    GARAGE = "garage", _("Garage")
    BARRIEREFREI = "barrierefrei", _("Barrier-free")
    EBK = "ebk", _("Fitted kitchen")
    GAESTE_WC = "gaeste_wc", _("Guest toilet")
    KAMIN = "kamin", _("Fireplace")
    KLIMATISIERT = "klimatisiert", _("Air conditioning")
    HAUSTIERE = "haustiere", _("Pets allowed")
    DENKMALSCHUTZ = "denkmalschutz", _("Listed building")
    SAUNA = "sauna", _("Sauna")
    SWIMMINGPOOL = "swimmingpool", _("Swimming pool")


# OpenImmo sub-types per `objektart` (wohnungtyp, haustyp, grundst_typ, buero_typ, …), codes as OpenImmo
# writes them. Shown as "Wohnung (Maisonette)"; a sub-type must belong to the property's kind.
OBJECT_SUBTYPES: dict[str, list[tuple[str, Any]]] = {
    "wohnung": [
        ("ETAGE", _("Apartment on an upper floor")),
        ("ERDGESCHOSS", _("Ground-floor apartment")),
        ("DACHGESCHOSS", _("Attic apartment")),
        ("MAISONETTE", _("Maisonette")),
        ("PENTHOUSE", _("Penthouse")),
        ("TERRASSEN", _("Terrace apartment")),
        ("LOFT-STUDIO-ATELIER", _("Loft / studio")),
        ("SOUTERRAIN", _("Basement apartment")),
        ("APARTMENT", _("Small apartment")),
        ("ATTIKAWOHNUNG", _("Attic storey apartment (Attika)")),
        ("GALERIE", _("Gallery apartment")),
        ("FERIENWOHNUNG", _("Holiday apartment")),
        ("ROHDACHBODEN", _("Unconverted attic")),
    ],
    "haus": [
        ("EINFAMILIENHAUS", _("Detached house")),
        ("ZWEIFAMILIENHAUS", _("Two-family house")),
        ("MEHRFAMILIENHAUS", _("Apartment building")),
        ("DOPPELHAUSHAELFTE", _("Semi-detached house")),
        ("REIHENHAUS", _("Terraced house")),
        ("REIHENMITTEL", _("Mid-terrace house")),
        ("REIHENEND", _("End-terrace house")),
        ("REIHENECK", _("Corner terraced house")),
        ("STADTHAUS", _("Town house")),
        ("BUNGALOW", _("Bungalow")),
        ("VILLA", _("Villa")),
        ("LANDHAUS", _("Country house")),
        ("BAUERNHAUS", _("Farmhouse")),
        ("RESTHOF", _("Former farm (Resthof)")),
        ("FERIENHAUS", _("Holiday house")),
        ("FERTIGHAUS", _("Prefabricated house")),
        ("HERRENHAUS", _("Manor house")),
        ("SCHLOSS", _("Castle / palace")),
    ],
    "grundstueck": [
        ("WOHNEN", _("Residential plot")),
        ("GEWERBE", _("Commercial plot")),
        ("INDUSTRIE", _("Industrial plot")),
        ("LAND_FORSTWIRSCHAFT", _("Agricultural / forest land")),
        ("FREIZEIT", _("Leisure plot")),
        ("GEMISCHT", _("Mixed-use plot")),
        ("SONDERNUTZUNG", _("Special-use plot")),
    ],
    "buero_praxen": [
        ("BUEROFLAECHE", _("Office space")),
        ("BUEROHAUS", _("Office building")),
        ("BUEROZENTRUM", _("Office centre")),
        ("PRAXISFLAECHE", _("Practice space")),
        ("PRAXISHAUS", _("Practice building")),
        ("LOFT_ATELIER", _("Loft / atelier (commercial)")),
        ("COWORKING", _("Coworking")),
    ],
    "einzelhandel": [
        ("LADENLOKAL", _("Shop")),
        ("EINZELHANDELSLADEN", _("Retail shop")),
        ("VERBRAUCHERMARKT", _("Supermarket")),
        ("EINKAUFSZENTRUM", _("Shopping centre")),
        ("KAUFHAUS", _("Department store")),
        ("KIOSK", _("Kiosk")),
        ("VERKAUFSFLAECHE", _("Sales floor")),
        ("AUSSTELLUNGSFLAECHE", _("Showroom")),
    ],
    "gastgewerbe": [
        ("RESTAURANT", _("Restaurant")),
        ("CAFE", _("Café")),
        ("BAR", _("Bar")),
        ("GASTRONOMIE", _("Gastronomy")),
        ("GASTRONOMIE_UND_WOHNUNG", _("Gastronomy with flat")),
        ("HOTELS", _("Hotel")),
        ("PENSIONEN", _("Guest house")),
    ],
    "hallen_lager_prod": [
        ("HALLE", _("Hall")),
        ("INDUSTRIEHALLE", _("Industrial hall")),
        ("LAGER", _("Warehouse")),
        ("LAGERFLAECHEN", _("Storage space")),
        ("PRODUKTION", _("Production")),
        ("WERKSTATT", _("Workshop")),
        ("FREIFLAECHEN", _("Open space")),
        ("KUEHLHAUS", _("Cold store")),
    ],
    "parken": [
        ("STELLPLATZ", _("Parking space")),
        ("CARPORT", _("Carport")),
        ("EINZELGARAGE", _("Single garage")),
        ("DOPPELGARAGE", _("Double garage")),
        ("TIEFGARAGE", _("Underground garage")),
        ("DUPLEX", _("Duplex parking")),
        ("PARKHAUS", _("Multi-storey car park")),
    ],
    "zimmer": [
        ("ZIMMER", _("Room")),
    ],
    "land_und_forstwirtschaft": [
        ("LANDWIRTSCHAFTLICHE_BETRIEBE", _("Farm")),
        ("BAUERNHOF", _("Farmstead")),
        ("ACKERBAU", _("Arable farm")),
        ("FORSTWIRTSCHAFT", _("Forestry")),
        ("WEINBAU", _("Vineyard")),
    ],
    "zinshaus_renditeobjekt": [
        ("MEHRFAMILIENHAUS", _("Apartment building")),
        ("WOHN_UND_GESCHAEFTSHAUS", _("Residential and commercial building")),
        ("GESCHAEFTSHAUS", _("Commercial building")),
        ("BUEROGEBAEUDE", _("Office block (investment)")),
        ("SB_MAERKTE", _("Self-service market")),
        ("PFLEGEHEIM", _("Care home")),
    ],
    "freizeitimmobilie_gewerblich": [
        ("SPORTANLAGEN", _("Sports facility")),
        ("VERGNUEGUNGSPARKS_UND_CENTER", _("Leisure park")),
        ("FREIZEITANLAGE", _("Leisure facility")),
    ],
}


def subtype_label(kind: str, code: str) -> str:
    """The German name of a sub-type ("Maisonette"); the code itself when it is not in the list."""
    return str(dict(OBJECT_SUBTYPES.get(kind, [])).get(code, code))


FEATURE_BITS = {code: 1 << i for i, code in enumerate(Feature.values)}
KIND_BITS = {code: 1 << i for i, code in enumerate(ObjectKind.values)}


def mask_of(codes: list[str] | None, bits: dict[str, int]) -> int:
    return sum(bits[c] for c in set(codes or ()) if c in bits)


class EnergyCertificateType(models.TextChoices):
    """OpenImmo `energiepass/epart`."""

    BEDARF = "bedarf", _("Energy demand certificate (Bedarf)")
    VERBRAUCH = "verbrauch", _("Energy consumption certificate (Verbrauch)")


class EnergyClass(models.TextChoices):
    """GEG efficiency classes (OpenImmo `wertklasse`), best first."""

    A_PLUS = "A+", "A+"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"
    H = "H", "H"


ENERGY_RANK = {code: i for i, code in enumerate(EnergyClass.values)}
# Upper limits (exclusive) of each class in kWh/(m²·a) final energy, GEG Anlage 10; H has none.
ENERGY_CLASS_LIMITS: dict[str, tuple[Decimal, Decimal | None]] = {
    "A+": (Decimal(0), Decimal(30)),
    "A": (Decimal(30), Decimal(50)),
    "B": (Decimal(50), Decimal(75)),
    "C": (Decimal(75), Decimal(100)),
    "D": (Decimal(100), Decimal(130)),
    "E": (Decimal(130), Decimal(160)),
    "F": (Decimal(160), Decimal(200)),
    "G": (Decimal(200), Decimal(250)),
    "H": (Decimal(250), None),
}


def energy_class_for(value: Decimal) -> str:
    """The GEG class an energy value falls into."""
    for code, (low, high) in ENERGY_CLASS_LIMITS.items():
        if value >= low and (high is None or value < high):
            return code
    return "A+"


MAX_PLACE_LENGTH = 100  # a place in a search profile; its index key (SearchProfileArea.key) has room for it


class EnergyCarrier(models.TextChoices):
    """OpenImmo `befeuerung` / primary energy carrier."""

    GAS = "gas", _("Gas")
    OEL = "oel", _("Oil")
    FERN = "fern", _("District heating")
    ELEKTRO = "elektro", _("Electricity")
    LUFTWP = "luftwp", _("Air heat pump")
    ERDWAERME = "erdwaerme", _("Geothermal")
    PELLET = "pellet", _("Wood pellets")
    HOLZ = "holz", _("Wood")
    SOLAR = "solar", _("Solar")
    KOHLE = "kohle", _("Coal")
    FLUESSIGGAS = "fluessiggas", _("Liquid gas")
    BLOCK = "block", _("Combined heat and power")


class HeatingType(models.TextChoices):
    """OpenImmo `heizungsart`."""

    OFEN = "ofen", _("Stove heating")
    ETAGE = "etage", _("Floor-by-floor heating")
    ZENTRAL = "zentral", _("Central heating")
    FERN = "fern", _("District heating")
    FUSSBODEN = "fussboden", _("Underfloor heating")


class Vacancy(models.TextChoices):
    """When the buyer or tenant can move in (OpenImmo `verfuegbar_ab` / `abdatum`)."""

    IMMEDIATELY = "sofort", _("immediately")
    BY_ARRANGEMENT = "nach_vereinbarung", _("by arrangement")
    FROM_DATE = "datum", _("from a date")


class PropertyQuerySet(models.QuerySet["Property"]):
    def visible_to(self, user: object) -> PropertyQuerySet:
        """Rows `user` may see: office-wide ones, their own, and those shared with them."""
        if getattr(user, "effective_role", None) == "admin":
            return self
        user_id = getattr(user, "pk", None)
        shared = PropertyViewer.objects.filter(user_id=user_id).values("property_id")
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
    # Energy certificate (GEG)
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
        errors: dict[str, str] = {}
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
        if errors:
            raise ValidationError(errors)

    def _energy_class_error(self) -> str | None:
        """Class and value of a certificate must agree (GEG Anlage 10), e.g. not A with 211 kWh."""
        if not self.energy_class or self.energy_value is None or self.energy_class not in ENERGY_CLASS_LIMITS:
            return None
        value = Decimal(self.energy_value)
        fits = energy_class_for(value)
        if fits == self.energy_class:
            return None
        from maklerwerk.core.numbers import format_german_number

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
        return self.caption or self.file.name.rsplit("/", 1)[-1]


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
        indexes = [models.Index(fields=["office", "key", "profile"], name="profile_area_key")]

    def __str__(self) -> str:
        return self.key


def _validate_kennung_pattern(value: str) -> None:
    from maklerwerk.properties.kennung import validate_pattern

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
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "done_at", "-created_at"], name="notification_open")]

    def __str__(self) -> str:
        return self.message
