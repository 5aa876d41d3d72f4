"""Round trip (#17): the package our portal export writes reads back into an empty office with the
same values: the importer of the migration issue understands everything the export says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.accounts.models import Office
from maklerwerk.imports import services
from maklerwerk.imports.openimmo import run_listings
from maklerwerk.properties.models import Property
from tests.conftest import make_user
from tests.portals.conftest import add_picture, make_listing

pytestmark = pytest.mark.django_db

VALUES: dict[str, Any] = {
    "object_subtype": "ETAGE",
    "latitude": Decimal("50.9375"),
    "longitude": Decimal("6.9603"),
    "floor": 3,
    "floors_total": 5,
    "district": "Altstadt-Nord",
    "deposit": Decimal("2100"),
    "hausgeld": Decimal("310.5"),
    "buyer_commission_text": "3,57 % inkl. MwSt.",
    "commission_free": False,
    "usable_area": Decimal("12.5"),
    "bedrooms": 2,
    "bathrooms": 1,
    "parking_spaces": 1,
    "heating_type": "zentral",
    "condition": "gepflegt",
    "energy_certificate_status": "vorhanden",
    "energy_building_type": "wohn",
    "energy_hot_water_included": True,
    "energy_building_year": 1972,
    "energy_issue_date": dt.date(2021, 3, 1),
    "energy_valid_until": dt.date(2031, 2, 28),
    "location_text": "Zwei Minuten zum Dom.",
    "features_text": "Parkett, Einbauküche.",
    "other_text": "Besichtigung nach Vereinbarung.",
}
SAME = [
    "title", "object_kind", "marketing_type", "usage", "street", "house_number", "postal_code", "city",
    "purchase_price", "living_area", "rooms", "energy_certificate_type", "energy_value", "energy_class",
    "energy_carrier", "year_built", "description", *VALUES,
]  # fmt: skip


def test_an_exported_package_reads_back_into_an_empty_office_with_the_same_values(
    office: Any, agent: Any, tmp_path: Path
) -> None:
    prop = make_listing(office, agent, "MW-0777", show_address=True, **VALUES)
    add_picture(prop, caption="Wohnzimmer")
    package = tmp_path / "export.zip"
    call_command("openimmo_export", "--out", str(package), "--office", str(office.pk))

    other = Office.objects.create(name="Neues Büro", city="Bonn")
    user = make_user(other, "neu", "admin")
    run = services.run_upload(
        office=other, acting_user=user, raw=package.read_bytes(), filename="export.zip",
        source_system="other", kind="properties",
    )  # fmt: skip
    report = run_listings(run=run, acting_user=user, dry_run=False).as_dict()
    assert report["counts"]["created"] == 1, report
    copy = Property.objects.get(office=other, external_id="MW-0777")
    differing = {
        name: (getattr(prop, name), getattr(copy, name))
        for name in SAME
        if getattr(prop, name) != getattr(copy, name)
    }
    assert differing == {}
    assert copy.show_address and copy.images.count() == 1


def test_a_value_our_fields_do_not_know_is_left_empty_with_a_warning(office: Any, agent: Any) -> None:
    from maklerwerk.imports.openimmo import _drop_unfitting
    from maklerwerk.integrations.openimmo.reader import Listing

    listing = Listing(
        "X-1", "CHANGE", {"heating_type": "geothermie", "energy_class": "Z", "rooms": Decimal(3)}
    )
    _drop_unfitting(listing)
    assert listing.data == {"rooms": Decimal(3)}
    assert any("geothermie" in w and "heating_type" in w for w in listing.warnings)
