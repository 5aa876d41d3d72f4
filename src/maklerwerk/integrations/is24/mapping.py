"""A listing (the OpenImmo writer's plain values) as an ImmobilienScout24 real estate (JSON).

IS24 checks the order of the fields in JSON as in XML ("Invalid content was found starting with
element …"), so every body is built in the order of IS24's realestates/common schemas, and PUT
always sends the whole object (a missing field would be emptied). Only the types below are
supported; others are refused before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from maklerwerk.integrations.openimmo.writer import Listing

# (objektart, vermarktungsart) → IS24 type
TYPES = {
    ("wohnung", "KAUF"): "apartmentBuy",
    ("wohnung", "MIETE_PACHT"): "apartmentRent",
    ("haus", "KAUF"): "houseBuy",
    ("haus", "MIETE_PACHT"): "houseRent",
}
# OpenImmo befeuerung → IS24 energySourceEnev2014 (LUFTWP and BLOCK are heating types there).
ENERGY_SOURCES = {
    "GAS": "GAS",
    "OEL": "OIL",
    "FERN": "DISTRICT_HEATING",
    "ELEKTRO": "ELECTRICITY",
    "ERDWAERME": "GEOTHERMAL",
    "PELLET": "PELLET_HEATING",
    "HOLZ": "WOOD",
    "SOLAR": "SOLAR_HEATING",
    "KOHLE": "COAL",
    "FLUESSIGGAS": "LIQUID_GAS",
    "ERDGAS_LEICHT": "ACID_GAS",
    "ERDGAS_SCHWER": "SOUR_GAS",
    "FERNWAERME_DAMPF": "STEAM_DISTRICT_HEATING",
    "NAHWAERME": "LOCAL_HEATING",
    "WAERMELIEFERUNG": "HEAT_SUPPLY",
    "BIOENERGIE": "BIO_ENERGY",
    "WINDENERGIE": "WIND_ENERGY",
    "WASSERENERGIE": "HYDRO_ENERGY",
    "UMWELTWAERME": "ENVIRONMENTAL_THERMAL_ENERGY",
    "KWK_FOSSIL": "COMBINED_HEAT_AND_POWER_FOSSIL_FUELS",
    "KWK_ERNEUERBAR": "COMBINED_HEAT_AND_POWER_RENEWABLE_ENERGY",
    "KWK_REGENERATIV": "COMBINED_HEAT_AND_POWER_REGENERATIVE_ENERGY",
    "KWK_BIO": "COMBINED_HEAT_AND_POWER_BIO_ENERGY",
}
HEATING_TYPES = {"LUFTWP": "HEAT_PUMP", "BLOCK": "COMBINED_HEAT_AND_POWER_PLANT"}
APARTMENT_TYPES = {
    "ETAGE": "APARTMENT",
    "ERDGESCHOSS": "GROUND_FLOOR",
    "DACHGESCHOSS": "ROOF_STOREY",
    "MAISONETTE": "MAISONETTE",
    "PENTHOUSE": "PENTHOUSE",
    "TERRASSEN": "TERRACED_FLAT",
    "LOFT-STUDIO-ATELIER": "LOFT",
    "SOUTERRAIN": "LOWER_GROUND_FLOOR",
    "APARTMENT": "APARTMENT",
    "ATTIKAWOHNUNG": "ROOF_STOREY",
    "GALERIE": "APARTMENT",
}
GEG_2014 = dt.date(2014, 5, 1)


class UnsupportedType(ValueError):
    """The property's kind and marketing type have no IS24 type here (German message)."""


def realestate_type(listing: Listing) -> str:
    kind = TYPES.get((listing.object_kind, listing.marketing_type))
    if kind is None:
        raise UnsupportedType(
            "ImmobilienScout24: Diese Objektart wird noch nicht übertragen "
            "(nur Wohnung und Haus, Kauf oder Miete)."
        )
    return kind


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _set(body: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        body[key] = value


def _energy(body: dict[str, Any], listing: Listing) -> None:
    energy = listing.energy
    if energy is None or energy.jahrgang not in ("2008", "2014"):
        # IS24 knows no "presented at the viewing": that certificate is "noch nicht vorhanden" there.
        availability = "NOT_REQUIRED" if energy and energy.jahrgang == "nicht_noetig" else "NOT_AVAILABLE_YET"
        body["energyCertificate"] = {"energyCertificateAvailability": availability}
        return
    certificate: dict[str, Any] = {"energyCertificateAvailability": "AVAILABLE"}
    from_2014 = energy.issued_on is None or energy.issued_on >= GEG_2014
    certificate["energyCertificateCreationDate"] = "FROM_01_MAY_2014" if from_2014 else "BEFORE_01_MAY_2014"
    if from_2014 and energy.energy_class:
        certificate["energyEfficiencyClass"] = energy.energy_class
    body["energyCertificate"] = certificate


def _living_information(body: dict[str, Any], listing: Listing) -> None:
    _set(body, "numberOfParkingSpaces", listing.parking_spaces)
    _set(body, "constructionYear", listing.year_built)
    heating = HEATING_TYPES.get(listing.carrier)
    _set(body, "heatingTypeEnev2014", heating)
    energy = listing.energy
    source = ENERGY_SOURCES.get(listing.carrier)
    if source:
        body["energySourcesEnev2014"] = {"energySourceEnev2014": [source]}
    if energy is not None and energy.kind and energy.jahrgang in ("2008", "2014"):
        body["buildingEnergyRatingType"] = (
            "ENERGY_REQUIRED" if energy.kind == "BEDARF" else "ENERGY_CONSUMPTION"
        )
        _set(body, "thermalCharacteristic", _num(energy.value))
        if energy.kind == "VERBRAUCH" and energy.with_hot_water:
            body["energyConsumptionContainsWarmWater"] = "YES"
    _set(body, "numberOfFloors", listing.floors_total)
    _set(body, "numberOfBedRooms", listing.bedrooms)
    _set(body, "numberOfBathRooms", listing.bathrooms)


def _courtage(listing: Listing) -> dict[str, Any]:
    if not listing.commission_required:
        return {"hasCourtage": "NO"}
    return {"hasCourtage": "YES", "courtage": listing.buyer_commission or "siehe Exposé"}


def _rent(body: dict[str, Any], listing: Listing) -> None:
    _set(body, "baseRent", _num(listing.cold_rent))
    _set(body, "totalRent", _num(listing.warm_rent))
    _set(body, "serviceCharge", _num(listing.service_charges))
    _set(body, "deposit", str(listing.deposit) if listing.deposit is not None else None)


def _head(listing: Listing) -> dict[str, Any]:
    body: dict[str, Any] = {"externalId": listing.external_id, "title": listing.title}
    address: dict[str, Any] = {}
    _set(address, "street", listing.street)
    _set(address, "houseNumber", listing.house_number)
    _set(address, "postcode", listing.postal_code)
    _set(address, "city", listing.city)
    body["address"] = address
    _set(body, "descriptionNote", listing.description)
    _set(body, "furnishingNote", listing.features_text)
    _set(body, "locationNote", listing.location_text)
    _set(body, "otherNote", listing.other_text)
    body["showAddress"] = "true" if listing.show_address else "false"
    return body


def realestate_body(listing: Listing) -> dict[str, Any]:
    """{"realestates.<type>": {...}} with every field in IS24's schema order."""
    kind = realestate_type(listing)
    body = _head(listing)
    price = {"value": _num(listing.purchase_price), "currency": "EUR"}
    if kind.startswith("apartment"):
        _set(body, "apartmentType", APARTMENT_TYPES.get(listing.object_subtype))
        _set(body, "floor", listing.floor)
        _energy(body, listing)
        _living_information(body, listing)
        if kind == "apartmentRent":
            _rent(body, listing)
        else:
            body["price"] = price
        _set(body, "livingSpace", _num(listing.living_area))
        _set(body, "numberOfRooms", _num(listing.rooms))
        body["courtage"] = _courtage(listing)
        if kind == "apartmentBuy":
            _set(body, "serviceCharge", _num(listing.service_charges))
    elif kind == "houseBuy":
        _energy(body, listing)
        _living_information(body, listing)
        body["price"] = price
        _set(body, "livingSpace", _num(listing.living_area))
        _set(body, "plotArea", _num(listing.plot_area))
        _set(body, "numberOfRooms", _num(listing.rooms))
        body["courtage"] = _courtage(listing)
    else:  # houseRent: BaseHouse comes first there
        _set(body, "livingSpace", _num(listing.living_area))
        _set(body, "plotArea", _num(listing.plot_area))
        _set(body, "numberOfRooms", _num(listing.rooms))
        body["courtage"] = _courtage(listing)
        _energy(body, listing)
        _living_information(body, listing)
        _rent(body, listing)
    return {f"realestates.{kind}": body}


# --- the way back: a real estate read from IS24 as Property values (the take-over of listings) ----

KINDS = {kind: (objektart, marketing.lower()) for (objektart, marketing), kind in TYPES.items()}
APARTMENT_SUBTYPES = {
    "APARTMENT": "ETAGE",
    "GROUND_FLOOR": "ERDGESCHOSS",
    "ROOF_STOREY": "DACHGESCHOSS",
    "MAISONETTE": "MAISONETTE",
    "PENTHOUSE": "PENTHOUSE",
    "TERRACED_FLAT": "TERRASSEN",
    "LOFT": "LOFT-STUDIO-ATELIER",
    "LOWER_GROUND_FLOOR": "SOUTERRAIN",
}
CARRIERS = {source: carrier.lower() for carrier, source in ENERGY_SOURCES.items()}
CARRIERS |= {heating: carrier.lower() for carrier, heating in HEATING_TYPES.items()}
_NUMBERS = (
    ("baseRent", "cold_rent"), ("totalRent", "warm_rent"), ("serviceCharge", "service_charges"),
    ("livingSpace", "living_area"), ("plotArea", "plot_area"), ("numberOfRooms", "rooms"),
)  # fmt: skip
_WHOLE = (
    ("floor", "floor"), ("numberOfFloors", "floors_total"), ("numberOfBedRooms", "bedrooms"),
    ("numberOfBathRooms", "bathrooms"), ("numberOfParkingSpaces", "parking_spaces"),
    ("constructionYear", "year_built"),
)  # fmt: skip
_TEXTS = (
    ("title", "title"), ("descriptionNote", "description"), ("furnishingNote", "features_text"),
    ("locationNote", "location_text"), ("otherNote", "other_text"),
)  # fmt: skip


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _whole(value: Any) -> int | None:
    try:
        return int(str(value).split(".")[0])
    except ValueError:
        return None


def property_data(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The Property values of an IS24 real estate of type `kind` ("apartmentBuy"): what
    `realestate_body` writes, read back. Other types are refused (`UnsupportedType`)."""
    if kind not in KINDS:
        raise UnsupportedType(
            "ImmobilienScout24: Diese Objektart kann noch nicht übernommen werden "
            "(nur Wohnung und Haus, Kauf oder Miete)."
        )
    object_kind, marketing = KINDS[kind]
    data: dict[str, Any] = {"object_kind": object_kind, "marketing_type": marketing}
    if subtype := APARTMENT_SUBTYPES.get(str(body.get("apartmentType", ""))):
        data["object_subtype"] = subtype
    for key, name in _TEXTS:
        if text := str(body.get(key) or "").replace("<br>", "\n").replace("<br/>", "\n").strip():
            data[name] = text[:300] if name == "title" else text
    address = body.get("address") or {}
    for key, name in (("street", "street"), ("houseNumber", "house_number"), ("postcode", "postal_code"),
                      ("city", "city")):  # fmt: skip
        if address.get(key):
            data[name] = str(address[key])
    data["show_address"] = str(body.get("showAddress", "")).lower() == "true"
    price = body.get("price") or {}
    if kind.endswith("Buy") and (amount := _decimal(price.get("value"))) is not None:
        data["purchase_price"] = amount
    for key, name in _NUMBERS:
        if (amount := _decimal(body.get(key))) is not None:
            data[name] = amount
    for key, name in _WHOLE:
        if (number := _whole(body.get(key))) is not None:
            data[name] = number
    if (deposit := _decimal(body.get("deposit"))) is not None:  # IS24 keeps it as text ("3 Kaltmieten")
        data["deposit"] = deposit
    courtage = body.get("courtage") or {}
    if str(courtage.get("hasCourtage", "")).upper() == "NO":
        data["commission_free"] = True
    elif courtage.get("courtage"):
        data["buyer_commission_text"] = str(courtage["courtage"])[:200]
    sources = (body.get("energySourcesEnev2014") or {}).get("energySourceEnev2014") or []
    heating = str(body.get("heatingTypeEnev2014", ""))
    for source in [*([sources] if isinstance(sources, str) else sources), heating]:
        if carrier := CARRIERS.get(str(source)):
            data["energy_carrier"] = carrier
            break
    certificate = body.get("energyCertificate") or {}
    availability = certificate.get("energyCertificateAvailability")
    status = {"AVAILABLE": "vorhanden", "NOT_AVAILABLE_YET": "ohne", "NOT_REQUIRED": "nicht_noetig"}
    if availability in status:
        data["energy_certificate_status"] = status[availability]
    rating = {"ENERGY_REQUIRED": "bedarf", "ENERGY_CONSUMPTION": "verbrauch"}
    if availability == "AVAILABLE" and body.get("buildingEnergyRatingType") in rating:
        data["energy_certificate_type"] = rating[body["buildingEnergyRatingType"]]
    if body.get("energyConsumptionContainsWarmWater") == "YES":
        data["energy_hot_water_included"] = True
    if certificate.get("energyEfficiencyClass"):
        data["energy_class"] = str(certificate["energyEfficiencyClass"])
    if (value := _decimal(body.get("thermalCharacteristic"))) is not None:
        data["energy_value"] = value
    return data
