"""The Kennung: suggested by the office's pattern, editable, unique per office, locked once the
property is published to a portal (a portal listing exists)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from maklerwerk.properties import kennung
from maklerwerk.properties.models import Property
from tests.conftest import assert_problem


def test_the_next_number_follows_the_highest_one() -> None:
    assert kennung.suggest("MW-{nr:04}", [], 2026) == "MW-0001"
    assert kennung.suggest("MW-{nr:04}", ["MW-0020", "MW-0003", "X-0999", "MW-ALT"], 2026) == "MW-0021"
    assert kennung.suggest("W-{jahr}-{nr:03}", ["W-2025-044", "W-2026-007"], 2026) == "W-2026-008"
    assert kennung.suggest("{nr}", ["7", "12"], 2026) == "13"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("MW-", "Das Muster braucht die laufende Nummer {nr} genau einmal"),
        ("MW-{nr}-{nr}", "genau einmal"),
        ("MW-{x}-{nr}", "Unbekannter Platzhalter {x}"),
        ("MW-{nr:abc}", "Schreiben Sie die Nummer als {nr}"),
        ("MW-{nr", "Geschweifte Klammern passen nicht"),
    ],
)
def test_a_bad_pattern_gets_a_german_reason(pattern: str, message: str) -> None:
    from django.utils import translation

    with translation.override("de"), pytest.raises(ValidationError) as err:
        kennung.validate_pattern(pattern)
    assert message in " ".join(err.value.messages)


@pytest.mark.django_db
def test_the_new_form_suggests_the_next_kennung(
    agent_client: Client, make_property: Any, other_office: Any
) -> None:
    make_property(external_id="MW-0020")
    Property.objects.create(
        office=other_office, external_id="MW-0090"
    )  # another office's numbers don't count
    html = agent_client.get("/properties/new/").content.decode()
    assert 'value="MW-0021"' in html
    assert "Vorschlag nach dem Muster des Büros (MW-{nr:04}); Sie können ihn ändern." in html


@pytest.mark.django_db
def test_the_office_sets_its_pattern(admin_user: Any) -> None:
    c = Client()
    c.force_login(admin_user)
    base = {"price_tolerance_percent": "10", "area_tolerance_percent": "10", "rooms_tolerance": "1"}
    refused = c.post("/properties/settings/", {**base, "kennung_pattern": "W-{x}"}).content.decode()
    assert "Das Muster braucht die laufende Nummer {nr} genau einmal" in refused
    c.post("/properties/settings/", {**base, "kennung_pattern": "W-{jahr}-{nr:03}"})
    year = timezone.localdate().year
    assert f'value="W-{year}-001"' in c.get("/properties/new/").content.decode()


@pytest.mark.django_db
def test_the_api_numbers_a_property_without_kennung(api: Any) -> None:
    assert api.post("/api/v1/properties", {"title": "Ohne Kennung"}).json()["external_id"] == "MW-0001"
    assert api.post("/api/v1/properties", {"title": "Noch eine"}).json()["external_id"] == "MW-0002"
    dup = api.post("/api/v1/properties", {"external_id": "MW-0002"})
    assert_problem(dup, 409)


@pytest.mark.django_db
def test_a_published_property_keeps_its_kennung(agent_client: Client, make_property: Any, api: Any) -> None:
    from maklerwerk.inquiries.models import PortalListing

    prop = make_property(external_id="MW-0007")
    edit = agent_client.get(f"/properties/{prop.pk}/edit/").content.decode()
    assert "Gesperrt" not in edit
    PortalListing.objects.create(office=prop.office, property=prop, source="immoscout24", portal_id="154837")
    edit = agent_client.get(f"/properties/{prop.pk}/edit/").content.decode()
    assert "Gesperrt: Das Objekt ist veröffentlicht (ImmobilienScout24 154837)" in edit
    assert (
        'name="external_id" value="MW-0007"' in edit
        and "disabled" in edit.split('name="external_id"')[1][:200]
    )
    body = assert_problem(api.patch(f"/api/v1/properties/{prop.pk}", {"external_id": "MW-0099"}), 400)
    assert "Die Kennung kann nicht mehr geändert werden" in str(body)
    assert api.patch(f"/api/v1/properties/{prop.pk}", {"title": "Neuer Titel"}).status_code == 200
    prop.refresh_from_db()
    assert prop.external_id == "MW-0007"
