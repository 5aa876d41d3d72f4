"""The GwG pages in German: the list, a case with its checklist, the identification form that keeps
what was typed when it refuses, the office risk analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maklerwerk.gwg.models import GwgCase, RiskAnalysis
from tests.gwg.conftest import ID_NUMBER

pytestmark = pytest.mark.django_db


def test_the_list_warns_about_the_missing_risk_analysis_and_shows_open_items(
    case: Any, admin_client: Any
) -> None:
    page = admin_client.get(reverse("gwg:list")).content.decode()
    assert "Das Büro hat noch keine schriftliche Risikoanalyse (§5 GwG)." in page
    assert "K-100 Villa Lindenallee" in page and "offene Punkte" in page


def test_the_case_page_shows_checklist_parties_and_notes(case: Any, admin_client: Any) -> None:
    response = admin_client.get(reverse("gwg:case", args=[case.pk]))
    page = response.content.decode()
    assert response["Cache-Control"].startswith("no-store")
    for text in (
        "Checkliste",
        "Berta Käufer",
        ID_NUMBER,
        "Lindenhof Invest GmbH",
        "Verdachtsvermerke",
        "keine Meldung",
        "Risikobewertung",
        "allgemeine Sorgfaltspflichten",
        "Transparenzregister",
    ):
        assert text in page, text


def test_a_refused_identification_keeps_what_was_typed(case: Any, admin_client: Any) -> None:
    party = case.parties.get(person_kind="natural", role="buyer")
    data = {
        "first_names": "Berta Maria",
        "last_name": "Käufer",
        "birth_date": "1980-03-14",
        "birth_place": "Bonn",
        "nationality": "DE",
        "address": "Neue Straße 9, 50667 Köln",
        "id_type": "id_card",
        "id_number": "12",
        "issuing_authority": "Stadt Köln",
        "valid_until": "2031-01-01",
        "method": "video",
        "identified_on": str(timezone.localdate()),
    }
    response = admin_client.post(reverse("gwg:identification", args=[party.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Eine deutsche Personalausweis- oder Passnummer hat 9 Zeichen" in page
    assert 'value="Neue Straße 9, 50667 Köln"' in page and 'value="Berta Maria"' in page
    party.identification.refresh_from_db()
    assert party.identification.address == "Domstraße 5, 50667 Köln"
    data["id_number"] = "C01X00T47"
    response = admin_client.post(reverse("gwg:identification", args=[party.pk]), data)
    assert response.status_code == 302
    party.identification.refresh_from_db()
    assert (party.identification.address, party.identification.method) == (
        "Neue Straße 9, 50667 Köln",
        "video",
    )


def test_open_a_case_by_hand_from_a_property(villa: Any, admin_client: Any) -> None:
    form = admin_client.get(reverse("gwg:case_create") + f"?property={villa.pk}").content.decode()
    assert "Neuer GwG-Fall" in form and "K-100 – Villa Lindenallee" in form
    response = admin_client.post(
        reverse("gwg:case_create"), {"kind": "purchase", "property_id": villa.pk, "price": "1"}
    )
    case = GwgCase.objects.get()
    assert response.status_code == 302 and case.property_label == "K-100 Villa Lindenallee"
    refused = admin_client.post(reverse("gwg:case_create"), {"kind": "rental", "monthly_rent": "800"})
    assert refused.status_code == 200 and "ab einer Monatsmiete von 10.000 EUR" in refused.content.decode()


def test_the_risk_analysis_gets_a_new_version_each_time(admin_client: Any, office: Any) -> None:
    due = timezone.localdate() + dt.timedelta(days=365)
    for text in ("Erste Fassung", "Zweite Fassung"):
        response = admin_client.post(
            reverse("gwg:risk_analysis"), {"text": text, "review_due": due.isoformat()}
        )
        assert response.status_code == 302
    assert list(RiskAnalysis.objects.values_list("version", "text")) == [
        (2, "Zweite Fassung"),
        (1, "Erste Fassung"),
    ]
    page = admin_client.get(reverse("gwg:risk_analysis")).content.decode()
    assert "Version 2: nächste Version schreiben" in page and "Zweite Fassung" in page
    refused = admin_client.post(
        reverse("gwg:risk_analysis"), {"text": "Dritte", "review_due": timezone.localdate().isoformat()}
    )
    assert (
        refused.status_code == 422
        and "Die nächste Überprüfung muss in der Zukunft liegen." in refused.content.decode()
    )
