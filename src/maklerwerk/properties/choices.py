"""The value lists of a property and a search profile (OpenImmo 1.2.7 codes) and what is derived
from them: bit masks for indexed matching, GEG energy classes, object subtypes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecimalColumn(TypedDict):
    """The keyword arguments shared by the optional money and area fields."""

    max_digits: int
    decimal_places: int
    null: bool
    blank: bool


money: DecimalColumn = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
area: DecimalColumn = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True}
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


class EnergyCertificateStatus(models.TextChoices):
    """Whether there is a certificate (GEG §87; OpenImmo `energiepass/jahrgang` says why there is none)."""

    AVAILABLE = "vorhanden", _("Certificate available")
    NONE = "ohne", _("No certificate yet")
    NOT_REQUIRED = "nicht_noetig", _("Not required (e.g. listed building)")
    AT_VIEWING = "bei_besichtigung", _("Presented at the viewing")


class EnergyBuildingType(models.TextChoices):
    """OpenImmo `energiepass/gebaeudeart`: residential certificates state one value, others two."""

    RESIDENTIAL = "wohn", _("Residential building")
    NON_RESIDENTIAL = "nichtwohn", _("Non-residential building")


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
    ALTERNATIV = "alternativ", _("Alternative")
    # The carriers OpenImmo 1.2.7c added for the GEG certificate:
    ERDGAS_LEICHT = "erdgas_leicht", _("Natural gas L")
    ERDGAS_SCHWER = "erdgas_schwer", _("Natural gas H")
    FERNWAERME_DAMPF = "fernwaerme_dampf", _("District heating (steam)")
    NAHWAERME = "nahwaerme", _("Local heating")
    WAERMELIEFERUNG = "waermelieferung", _("Heat supply")
    BIOENERGIE = "bioenergie", _("Bioenergy")
    WINDENERGIE = "windenergie", _("Wind energy")
    WASSERENERGIE = "wasserenergie", _("Hydro energy")
    UMWELTWAERME = "umweltwaerme", _("Ambient heat")
    KWK_FOSSIL = "kwk_fossil", _("CHP, fossil")
    KWK_ERNEUERBAR = "kwk_erneuerbar", _("CHP, renewable")
    KWK_REGENERATIV = "kwk_regenerativ", _("CHP, regenerative")
    KWK_BIO = "kwk_bio", _("CHP, bio energy")


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
