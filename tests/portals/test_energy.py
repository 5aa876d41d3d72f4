"""The energy certificate as GEG §87 wants it in an advertisement: kept on the property (form and
API), refused before sending when a required part is missing, written to OpenImmo `energiepass`
(validated against the 1.2.7c XSD) and to IS24's energy fields (the stand-in checks its rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from maklerwerk.integrations.is24.mapping import realestate_body
from maklerwerk.integrations.openimmo import writer
from maklerwerk.portals import services
from maklerwerk.portals.exporters import openimmo
from maklerwerk.portals.models import PortalAssignment
from maklerwerk.properties.models import Property
from tests.portals.conftest import is24_portal_data, make_listing, openimmo_schema, xml_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reachable_office(office: Any) -> None:
    office.email = "info@testbuero.example"  # kontaktperson needs an e-mail or phone
    office.save()


def energiepass(prop: Property) -> Any:
    header = writer.Transfer(
        full=False, provider_number="K1", company="Büro", openimmo_anid="K1", sender_version="1",
        timestamp=dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    listing = openimmo.listing_for(prop, "CHANGE", [])
    from lxml import etree

    root = etree.fromstring(writer.document_bytes(header, [listing]))
    return root, xml_child(root, "anbieter/immobilie/zustand_angaben/energiepass")


def test_a_consumption_certificate_with_hot_water_reaches_openimmo_and_validates(office, agent):
    schema = openimmo_schema()
    prop = make_listing(
        office, agent, energy_certificate_status="vorhanden", energy_hot_water_included=True,
        energy_carrier="erdgas_schwer", energy_issue_date=dt.date(2021, 3, 1), energy_building_year=1970,
    )  # fmt: skip
    prop.full_clean()
    root, epass = energiepass(prop)
    assert schema.validate(root), schema.error_log
    assert epass.findtext("epart") == "VERBRAUCH"
    assert epass.findtext("energieverbrauchkennwert") == "112.4"
    assert epass.findtext("mitwarmwasser") == "true"
    assert epass.findtext("primaerenergietraeger") == "ERDGAS_SCHWER"  # a 1.2.7c carrier
    assert epass.findtext("baujahr") == "1970"
    assert epass.findtext("jahrgang") == "2014" and epass.findtext("gebaeudeart") == "wohn"
    assert openimmo.preflight(prop) == []


def test_a_non_residential_certificate_states_heat_and_electricity(office, agent):
    schema = openimmo_schema()
    prop = make_listing(
        office, agent, "MW-0009", usage="gewerbe", object_kind="buero_praxen", object_subtype="",
        energy_certificate_type="bedarf", energy_value=None, energy_class="",
        energy_building_type="nichtwohn", energy_value_heat=Decimal("95"),
        energy_issue_date=dt.date(2012, 6, 1),
    )  # fmt: skip
    assert openimmo.preflight(prop) == [
        "Stromwert fehlt: Pflichtangabe nach GEG §87 für ein Nichtwohngebäude."
    ]
    prop.energy_value_power = Decimal("41.5")
    root, epass = energiepass(prop)
    assert schema.validate(root), schema.error_log
    assert epass.findtext("waermewert") == "95" and epass.findtext("stromwert") == "41.5"
    assert epass.findtext("jahrgang") == "2008" and epass.findtext("gebaeudeart") == "nichtwohn"
    assert openimmo.preflight(prop) == []


@pytest.mark.parametrize(
    ("status", "jahrgang", "availability"),
    [
        ("nicht_noetig", "nicht_noetig", "NOT_REQUIRED"),
        ("bei_besichtigung", "bei_besichtigung", "NOT_AVAILABLE_YET"),
        ("ohne", "ohne", "NOT_AVAILABLE_YET"),
    ],
)
def test_without_a_certificate_the_ad_says_why(office, agent, status, jahrgang, availability):
    schema = openimmo_schema()
    prop = make_listing(
        office, agent, energy_certificate_status=status, energy_certificate_type="", energy_value=None,
        energy_class="",
    )  # fmt: skip
    prop.full_clean()
    root, epass = energiepass(prop)
    assert schema.validate(root), schema.error_log
    assert [child.tag for child in epass] == ["jahrgang"] and epass.findtext("jahrgang") == jahrgang
    assert openimmo.preflight(prop) == []
    body = realestate_body(openimmo.listing_for(prop, "CHANGE", []))["realestates.apartmentBuy"]
    assert body["energyCertificate"] == {"energyCertificateAvailability": availability}
    assert "thermalCharacteristic" not in body and "buildingEnergyRatingType" not in body


def test_the_preflight_names_every_missing_geg_field(office, agent):
    prop = make_listing(
        office, agent, energy_certificate_status="vorhanden", energy_carrier="", energy_value=None,
        energy_class="", year_built=None,
    )  # fmt: skip
    assert openimmo.preflight(prop) == [
        "Energieträger fehlt: Pflichtangabe nach GEG §87, wenn ein Energieausweis vorliegt.",
        "Energiekennwert fehlt: Pflichtangabe nach GEG §87, wenn ein Energieausweis vorliegt.",
        "Baujahr fehlt: Pflichtangabe nach GEG §87 für ein Wohngebäude.",
        "Effizienzklasse fehlt: Pflichtangabe nach GEG §87 für Energieausweise ab dem 1. Mai 2014.",
    ]
    prop.energy_issue_date = dt.date(2013, 1, 1)  # an EnEV 2009 certificate states no class
    assert not any("Effizienzklasse" in p for p in openimmo.preflight(prop))


def test_contradicting_certificate_data_is_refused_in_german(office, agent):
    prop = make_listing(office, agent, energy_certificate_status="bei_besichtigung")
    with pytest.raises(ValidationError) as raised:
        prop.full_clean()
    assert "„Wird bei der Besichtigung vorgelegt“ ist gewählt" in str(raised.value.message_dict)
    prop = make_listing(
        office, agent, "MW-0003", energy_certificate_type="bedarf", energy_hot_water_included=False
    )
    with pytest.raises(ValidationError) as raised:
        prop.full_clean()
    assert raised.value.message_dict["energy_hot_water_included"] == [
        "Nur ein Verbrauchsausweis gibt an, ob Warmwasser enthalten ist."
    ]


@pytest.mark.django_db(transaction=True)
def test_is24_gets_the_hot_water_flag_and_the_1_2_7c_carrier(office, admin_user, agent, listing, is24):
    listing.energy_hot_water_included = True
    listing.energy_carrier = "umweltwaerme"
    listing.save()
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "online", assignment.last_error
    body = is24["app"].by_external_id(is24["user"], "MW-0001")["body"]
    assert body["energyConsumptionContainsWarmWater"] == "YES"
    assert body["buildingEnergyRatingType"] == "ENERGY_CONSUMPTION"
    assert body["energySourcesEnev2014"] == {"energySourceEnev2014": ["ENVIRONMENTAL_THERMAL_ENERGY"]}
    assert body["constructionYear"] == 1972


def test_the_form_and_api_keep_the_new_fields(agent, listing, api):
    client = Client()
    client.force_login(agent)
    page = client.get(f"/properties/{listing.pk}/edit/").content.decode()
    assert "Energieausweis liegt vor" in page and "Warmwasser enthalten" in page
    assert "Wärmewert" in page and "Stromwert" in page and "Umweltwärme" in page
    response = api.patch(
        f"/api/v1/properties/{listing.pk}",
        {"energy_certificate_status": "vorhanden", "energy_hot_water_included": True},
    )
    assert response.status_code == 200, response.content
    assert response.json()["energy_hot_water_included"] is True
    listing.refresh_from_db()
    assert listing.energy_certificate_status == "vorhanden"
    detail = client.get(f"/properties/{listing.pk}/").content.decode()
    assert "Energieausweis liegt vor" in detail and "inkl. Warmwasser" in detail
