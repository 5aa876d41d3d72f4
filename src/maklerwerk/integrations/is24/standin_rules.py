"""The ImmobilienScout24 stand-in's checks of a real-estate body, from IS24's documentation and schemas.

Field order per type (AbstractRealEstateForList, AbstractRealEstate, RealEstate, then the type's
groups) as in realestates-1.0.xsd / common-1.0.xsd (OpenEstate-IS24-REST, Apache-2.0); mandatory
fields, text lengths and the energy-certificate rules of api-docs/energy-certificates (as observed
in the sandbox: a class needs FROM_01_MAY_2014 and a rating type; "not available" takes no values).
"""

from __future__ import annotations

from typing import Any

TEXT_LIMITS = {
    "title": 100,
    "descriptionNote": 3999,
    "furnishingNote": 3999,
    "locationNote": 3999,
    "otherNote": 3999,
}
# Field order of the supported types (AbstractRealEstateForList, AbstractRealEstate, RealEstate,
# then the type's groups), from realestates-1.0.xsd / common-1.0.xsd.
_HEAD = [
    "externalId",
    "title",
    "creationDate",
    "lastModificationDate",
    "address",
    "apiSearchData",
    "realEstateState",
    "groupNumber",
    "descriptionNote",
    "furnishingNote",
    "locationNote",
    "otherNote",
    "showAddress",
    "contact",
]
_LIVING = [
    "cellar",
    "handicappedAccessible",
    "numberOfParkingSpaces",
    "condition",
    "lastRefurbishment",
    "interiorQuality",
    "constructionYear",
    "constructionYearUnknown",
    "freeFrom",
    "heatingType",
    "heatingTypeEnev2014",
    "firingTypes",
    "energySourcesEnev2014",
    "buildingEnergyRatingType",
    "thermalCharacteristic",
    "energyConsumptionContainsWarmWater",
    "numberOfFloors",
    "usableFloorSpace",
    "numberOfBedRooms",
    "numberOfBathRooms",
    "guestToilet",
    "parkingSpaceType",
]
_APARTMENT = ["apartmentType", "floor", "lift", "assistedLiving", "energyCertificate"]
_LIVING_BUY = ["rented", "rentalIncome", "listed", "parkingSpacePrice", "summerResidencePractical"]
_LIVING_RENT = [
    "baseRent",
    "totalRent",
    "serviceCharge",
    "deposit",
    "heatingCosts",
    "heatingCostsInServiceCharge",
    "calculatedTotalRent",
    "calculatedTotalRentScope",
    "petsAllowed",
    "parkingSpacePrice",
    "useAsFlatshareRoom",
]
_BASE_APARTMENT = [
    "price",
    "livingSpace",
    "numberOfRooms",
    "energyPerformanceCertificate",
    "energyEfficiencyClass",
    "builtInKitchen",
    "balcony",
    "certificateOfEligibilityNeeded",
    "garden",
    "courtage",
]
_BASE_HOUSE = [
    "price",
    "livingSpace",
    "plotArea",
    "numberOfRooms",
    "energyPerformanceCertificate",
    "energyEfficiencyClass",
    "courtage",
]
_HOUSE = ["buildingType", "energyCertificate"]
ORDER = {
    "apartmentBuy": [*_HEAD, *_APARTMENT, *_LIVING, *_LIVING_BUY, *_BASE_APARTMENT, "serviceCharge"],
    "apartmentRent": _HEAD + _APARTMENT + _LIVING + _LIVING_RENT + _BASE_APARTMENT,
    "houseBuy": [*_HEAD, "lodgerFlat", "constructionPhase", *_HOUSE, *_LIVING, *_LIVING_BUY, *_BASE_HOUSE],
    "houseRent": _HEAD + _BASE_HOUSE + _HOUSE + _LIVING + _LIVING_RENT,
}
MANDATORY = {
    "apartmentBuy": ["title", "address", "price", "livingSpace", "numberOfRooms", "courtage"],
    "apartmentRent": ["title", "address", "baseRent", "livingSpace", "numberOfRooms", "courtage"],
    "houseBuy": ["title", "address", "price", "livingSpace", "numberOfRooms", "courtage"],
    "houseRent": ["title", "address", "baseRent", "livingSpace", "numberOfRooms", "courtage"],
}


class Problem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def validation_problem(field_name: str, value: Any, code: str) -> Problem:
    text = f"Error while validating input for the resource. [MESSAGE: {field_name} : {value} : {code}]"
    return Problem(412, "ERROR_RESOURCE_VALIDATION", text)


def validate(data: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(data, dict) or len(data) != 1:
        raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "Required request body is missing")
    root, body = next(iter(data.items()))
    kind = root.removeprefix("realestates.")
    if kind not in ORDER or not isinstance(body, dict):
        raise Problem(400, "ERROR_COMMON_BAD_REQUEST", f"Unknown real estate type [{root}].")
    order = ORDER[kind]
    last = -1
    for key in body:
        position = order.index(key) if key in order else -1
        if position <= last:
            raise Problem(400, "ERROR_COMMON_SCHEMA_VALIDATION_FAILED",
                          f"Invalid content was found starting with element '{key}'.")  # fmt: skip
        last = position
    for key in MANDATORY[kind]:
        if body.get(key) in (None, "", {}):
            raise validation_problem(key, "", "MANDATORY_FIELD_EMPTY")
    for key, limit in TEXT_LIMITS.items():
        text = str(body.get(key, ""))
        if "<" in text.replace("<br>", "").replace("<br/>", "") or ">" in text.replace("<br>", "").replace(
            "<br/>", ""
        ):
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", f"'<' and '>' are not allowed in {key}.")
        if len(text) > limit:
            raise validation_problem(key, len(text), "LENGTH_EXCEEDED")
    energy_rules(body)
    return kind, body


def energy_rules(body: dict[str, Any]) -> None:
    cert = body.get("energyCertificate") or {}
    availability = cert.get("energyCertificateAvailability")
    filled = [k for k in ("energyCertificateCreationDate", "energyEfficiencyClass") if cert.get(k)]
    filled += [
        k
        for k in ("buildingEnergyRatingType", "thermalCharacteristic", "energyConsumptionContainsWarmWater")
        if body.get(k) is not None
    ]
    if availability in ("NOT_AVAILABLE_YET", "NOT_REQUIRED") and filled:
        raise validation_problem(filled[0], "", "EV_NOT_AVAILABLE_BUT_FIELDS_FILLED")
    if (
        body.get("energyConsumptionContainsWarmWater")
        and body.get("buildingEnergyRatingType") != "ENERGY_CONSUMPTION"
    ):
        raise validation_problem(
            "energyConsumptionContainsWarmWater",
            body["energyConsumptionContainsWarmWater"],
            "EV_ENERGY_CONSUMPTION_CONTAINS_WARM_WATER_NOT_VALID_FOR_THIS_CERTIFICATE",
        )
    if cert.get("energyEfficiencyClass"):
        ok = cert.get("energyCertificateCreationDate") == "FROM_01_MAY_2014" and body.get(
            "buildingEnergyRatingType"
        ) in ("ENERGY_REQUIRED", "ENERGY_CONSUMPTION")
        if not ok:
            raise validation_problem("energyEfficiencyClass", cert["energyEfficiencyClass"],
                              "EV_EFFICIENCY_CLASS_NOT_VALID_FOR_THIS_CERTIFICATE")  # fmt: skip
        if cert["energyEfficiencyClass"] == "A_PLUS":
            raise validation_problem(
                "energyEfficiencyClass", "A_PLUS", "It must be a value from the enumeration"
            )
