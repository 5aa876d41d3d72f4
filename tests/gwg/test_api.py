"""The GwG file through the API: a sale from opening the case to a complete checklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import api_client_for, assert_problem
from tests.gwg.conftest import ID_NUMBER, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_a_sale_from_open_to_complete(admin_user: Any, villa: Any, seller: Any, buyer: Any) -> None:
    api = api_client_for(admin_user)
    created = api.post(
        "/api/v1/gwg/cases", {"kind": "purchase", "property_id": villa.pk, "price": "980000.00"}
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["property_label"] == "K-100 Villa Lindenallee" and case["complete"] is False
    cid = case["id"]
    parties = {}
    for role, contact in (("buyer", buyer), ("seller", seller)):
        r = api.post(f"/api/v1/gwg/cases/{cid}/parties", {"role": role, "contact_id": contact.pk})
        assert r.status_code == 201, r.content
        parties[role] = r.json()["id"]
    assert r.json()["name"] == "Sven Verkäufer"
    today = timezone.localdate()
    for role, (first, last) in (("buyer", ("Berta", "Käufer")), ("seller", ("Sven", "Verkäufer"))):
        body = {
            "first_names": first,
            "last_name": last,
            "birth_date": "1970-01-02",
            "birth_place": "Köln",
            "nationality": "DE",
            "address": "Domstraße 5, 50667 Köln",
            "id_type": "id_card",
            "id_number": ID_NUMBER,
            "issuing_authority": "Stadt Köln",
            "valid_until": str(today + dt.timedelta(days=400)),
            "method": "eid",
        }
        r = api.put(f"/api/v1/gwg/parties/{parties[role]}/identification", body)
        assert r.status_code == 200, r.content
        assert r.json()["id_copy_stored"] is False
        upload = SimpleUploadedFile("ausweis.jpg", jpeg_bytes(), content_type="image/jpeg")
        r = api.client.post(
            f"/api/v1/gwg/parties/{parties[role]}/identification/id-copy",
            {"file": upload},
            headers=api.headers,
        )
        assert r.status_code == 201 and r.json()["id_copy_stored"] is True
    r = api.put(
        f"/api/v1/gwg/cases/{cid}/risk-assessment",
        {
            "pep": False,
            "high_risk_country": False,
            "cash": False,
            "unusual_price": False,
            "result": "normal",
            "reasoning": "Bankfinanzierung",
        },
    )
    assert r.status_code == 200 and r.json()["result"] == "normal"
    r = api.post(
        "/api/v1/gwg/risk-analysis",
        {"text": "Risiken des Büros ...", "review_due": str(today + dt.timedelta(days=365))},
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    detail = api.get(f"/api/v1/gwg/cases/{cid}").json()
    assert [i for i in detail["checklist"] if not i["done"]] == []
    assert detail["complete"] is True
    assert {p["identification"]["id_number"] for p in detail["parties"]} == {ID_NUMBER}
    listed = api.get("/api/v1/gwg/cases?status=open").json()
    assert [c["id"] for c in listed["items"]] == [cid]
    r = api.post(f"/api/v1/gwg/cases/{cid}/close", {"ended_on": str(today)})
    assert r.json()["status"] == "closed"


def test_bad_input_gets_german_field_errors(admin_user: Any, case: Any) -> None:
    api = api_client_for(admin_user)
    party = case.parties.get(person_kind="natural", role="buyer")
    r = api.put(
        f"/api/v1/gwg/parties/{party.pk}/identification",
        {
            "first_names": "Berta",
            "last_name": "Käufer",
            "birth_date": "1980-03-14",
            "birth_place": "Bonn",
            "nationality": "DE",
            "address": "x",
            "id_type": "id_card",
            "id_number": "ABC",
            "issuing_authority": "Stadt Köln",
            "valid_until": "2030-01-01",
            "method": "in_person",
        },
    )
    body = assert_problem(r, 422)
    assert any("9 Zeichen" in e["message"] for e in body["errors"] if e["field"] == "id_number")
    assert api.get(f"/api/v1/gwg/parties/{party.pk}/identification").json()["id_number"] == ID_NUMBER
    r = api.post("/api/v1/gwg/cases", {"kind": "rental", "monthly_rent": "500"})
    assert "10.000 EUR" in assert_problem(r, 400)["detail"]
    r = api.post(f"/api/v1/gwg/cases/{case.pk}/suspicion-notes", {"facts": "Bar", "decision": "reported"})
    fields = {e["field"] for e in assert_problem(r, 422)["errors"]}
    assert fields == {"reasons", "reported_on"}


def test_suspicion_notes_list_for_the_permission(admin_user: Any, case: Any) -> None:
    notes = api_client_for(admin_user).get(f"/api/v1/gwg/cases/{case.pk}/suspicion-notes").json()
    assert [n["decision"] for n in notes] == ["no_report"]
