"""Value types of the property API: OpenImmo codes as literals, money and coordinates. Shared with
the search-profile API (matching), so both describe a code the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field

from maklerwerk.properties.choices import (
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
)
from maklerwerk.properties.models import Property, PropertyContact, PropertyDocument, PropertyImage

# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    KindCode = str
    MarketingCode = str
    UsageCode = str
    StatusCode = str
    FeatureCode = str
    ConditionCode = str
    EnergyClassCode = str
    EnergyTypeCode = str
    EnergyCarrierCode = str
    EnergyStatusCode = str
    EnergyBuildingCode = str
    HeatingCode = str
    VacancyCode = str
    VisibilityCode = str
    ImageKindCode = str
    DocumentKindCode = str
    RoleCode = str
    InterestCode = str
else:
    KindCode = Literal[tuple(ObjectKind.values)]
    MarketingCode = Literal[tuple(MarketingType.values)]
    UsageCode = Literal[tuple(Usage.values)]
    StatusCode = Literal[tuple(Property.Status.values)]
    FeatureCode = Literal[tuple(Feature.values)]
    ConditionCode = Literal[tuple(["", *Condition.values])]
    EnergyClassCode = Literal[tuple(["", *EnergyClass.values])]
    EnergyTypeCode = Literal[tuple(["", *EnergyCertificateType.values])]
    EnergyCarrierCode = Literal[tuple(["", *EnergyCarrier.values])]
    EnergyStatusCode = Literal[tuple(["", *EnergyCertificateStatus.values])]
    EnergyBuildingCode = Literal[tuple(["", *EnergyBuildingType.values])]
    HeatingCode = Literal[tuple(["", *HeatingType.values])]
    VacancyCode = Literal[tuple(["", *Vacancy.values])]
    VisibilityCode = Literal[tuple(Property.Visibility.values)]
    ImageKindCode = Literal[tuple(PropertyImage.Kind.values)]
    DocumentKindCode = Literal[tuple(PropertyDocument.Kind.values)]
    RoleCode = Literal[tuple(PropertyContact.Role.values)]
    InterestCode = Literal[tuple(["", *PropertyContact.InterestStatus.values])]

Money = Decimal | None
Lat = Field(None, ge=-90, le=90)
Lon = Field(None, ge=-180, le=180)


def num_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
