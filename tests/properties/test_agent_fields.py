"""Fields agents expect (Hausgeld, bezugsfrei ab, Heizungsart, provisionsfrei) in form, detail, API and
mail placeholders, and energy class and value checked against each other (GEG Anlage 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties.models import Property

pytestmark = pytest.mark.django_db

FORM = {
    "external_id": "W-77",
    "title": "Eigentumswohnung Bornheim",
    "object_kind": "wohnung",
    "marketing_type": "kauf",
    "usage": "wohnen",
    "status": "active",
    "visibility": "office",
    "country": "DEU",
    "purchase_price": "349.000",
    "living_area": "78,5",
}


def test_the_form_takes_the_new_fields_and_the_detail_shows_them(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/",
        {
            **FORM,
            "hausgeld": "320,50",
            "vacancy": "sofort",
            "heating_type": "zentral",
            "commission_free": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    prop = Property.objects.get(external_id="W-77")
    assert (str(prop.hausgeld), prop.vacancy, prop.heating_type, prop.commission_free) == (
        "320.50",
        "sofort",
        "zentral",
        True,
    )
    html = agent_client.get(response["Location"]).content.decode()
    assert "320,50 €" in html and "sofort" in html and "Zentralheizung" in html and "provisionsfrei" in html
    form = agent_client.get(f"/properties/{prop.pk}/edit/").content.decode()
    assert "Hausgeld (monatlich)" in form and "Heizungsart" in form and "Bezugsfrei" in form
    assert "Fußbodenheizung" in form and "nach Vereinbarung" in form


def test_a_date_alone_means_vacant_from_that_date(agent_client: Client) -> None:
    response = agent_client.post("/properties/new/", {**FORM, "vacant_from": "2027-03-01"})
    assert response.status_code == 302
    html = agent_client.get(response["Location"]).content.decode()
    assert "ab 01.03.2027" in html


def test_a_date_and_immediately_together_are_refused_in_german(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/", {**FORM, "vacancy": "sofort", "vacant_from": "2027-03-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Entweder ein Datum oder „sofort“, nicht beides" in html
    assert 'value="349.000"' in html  # nothing typed is lost


def test_energy_class_a_with_211_kwh_is_refused_with_the_reason(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/",
        {**FORM, "energy_certificate_type": "verbrauch", "energy_value": "211", "energy_class": "A"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Die Energieeffizienzklasse A passt nicht zu 211 kWh/(m²·a): Klasse A gilt von 30 bis unter 50 "
        "kWh/(m²·a) (GEG Anlage 10), 211 kWh/(m²·a) ergibt Klasse G." in html
    )
    assert not Property.objects.exists()
    ok = agent_client.post(
        "/properties/new/",
        {**FORM, "energy_certificate_type": "verbrauch", "energy_value": "211", "energy_class": "G"},
    )
    assert ok.status_code == 302


def test_commission_free_with_a_commission_is_refused(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/", {**FORM, "commission_free": "on", "buyer_commission_percent": "3,57"}
    )
    assert "Das Objekt ist als provisionsfrei markiert" in response.content.decode()


def test_the_api_reads_and_writes_the_new_fields(api: Any) -> None:
    created = api.post(
        "/api/v1/properties",
        {
            "external_id": "A-1",
            "hausgeld": "280.00",
            "vacancy": "datum",
            "vacant_from": "2027-01-15",
            "heating_type": "fussboden",
            "commission_free": True,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["hausgeld"], body["vacancy"], body["vacant_from"], body["heating_type"]) == (
        280.0,
        "datum",
        "2027-01-15",
        "fussboden",
    )
    assert body["commission_free"] is True
    refused = api.post(
        "/api/v1/properties", {"external_id": "A-2", "energy_class": "A", "energy_value": "211"}
    )
    assert refused.status_code == 422
    assert "211 kWh/(m²·a) ergibt Klasse G" in refused.content.decode()


def test_mail_placeholders_show_the_new_fields(office: Any, agent: Any, make_property: Any) -> None:
    import datetime as dt
    from decimal import Decimal

    from maklerwerk.mailing.placeholders import BY_NAME, MailContext

    prop = make_property(
        hausgeld=Decimal("320.5"), vacant_from=dt.date(2027, 3, 1), heating_type="etage", commission_free=True
    )
    ctx = MailContext(office=office, acting_user=agent, prop=prop)
    names = ("objekt.hausgeld", "objekt.bezugsfrei", "objekt.heizungsart", "objekt.provisionsfrei")
    values = {n: BY_NAME[n].resolve(ctx) for n in names}
    assert values == {
        "objekt.hausgeld": "320,50 €",
        "objekt.bezugsfrei": "ab 01.03.2027",
        "objekt.heizungsart": "Etagenheizung",
        "objekt.provisionsfrei": "provisionsfrei",
    }
