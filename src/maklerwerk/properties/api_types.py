"""Value types of the property API: OpenImmo codes as literals, money and coordinates. Shared with
the search-profile API (matching), so both describe a code the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from ninja import Field

from maklerwerk.properties.choices import (
    Condition,
    EnergyCarrier,
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

KindCode = Literal[tuple(ObjectKind.values)]  # type: ignore[valid-type]
MarketingCode = Literal[tuple(MarketingType.values)]  # type: ignore[valid-type]
UsageCode = Literal[tuple(Usage.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Property.Status.values)]  # type: ignore[valid-type]
FeatureCode = Literal[tuple(Feature.values)]  # type: ignore[valid-type]
ConditionCode = Literal[tuple(["", *Condition.values])]  # type: ignore[valid-type]
EnergyClassCode = Literal[tuple(["", *EnergyClass.values])]  # type: ignore[valid-type]
EnergyTypeCode = Literal[tuple(["", *EnergyCertificateType.values])]  # type: ignore[valid-type]
EnergyCarrierCode = Literal[tuple(["", *EnergyCarrier.values])]  # type: ignore[valid-type]
HeatingCode = Literal[tuple(["", *HeatingType.values])]  # type: ignore[valid-type]
VacancyCode = Literal[tuple(["", *Vacancy.values])]  # type: ignore[valid-type]
VisibilityCode = Literal[tuple(Property.Visibility.values)]  # type: ignore[valid-type]
ImageKindCode = Literal[tuple(PropertyImage.Kind.values)]  # type: ignore[valid-type]
DocumentKindCode = Literal[tuple(PropertyDocument.Kind.values)]  # type: ignore[valid-type]
RoleCode = Literal[tuple(PropertyContact.Role.values)]  # type: ignore[valid-type]
InterestCode = Literal[tuple(["", *PropertyContact.InterestStatus.values])]  # type: ignore[valid-type]

Money = Decimal | None
Lat = Field(None, ge=-90, le=90)
Lon = Field(None, ge=-180, le=180)


def num_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
