"""Every contacts endpoint: success, field errors, roles, duplicates (409) and the outsider case."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maklerwerk.contacts.models import Contact, ContactFile, Relationship
from maklerwerk.core.history import history_for
from tests.conftest import ApiClient, api_client_for, assert_problem, streamed
from tests.contacts.conftest import fixture_bytes, make_contact

pytestmark = pytest.mark.django_db

FULL = {
    "salutation": "frau",
    "title": "Dr.",
    "first_name": "Anna",
    "last_name": "Müller",
    "company_name": "Müller Hausverwaltung",
    "legal_form": "gmbh",
    "emails": [{"value": "  Anna.Mueller@Example.de ", "kind": "business"}],
    "phones": [{"value": "069 1234567", "kind": "business"}, {"value": "0171/2345678", "kind": "mobile"}],
    "street": "Hanauer Landstraße",
    "house_number": "12a",
    "postal_code": "60314",
    "city": "Frankfurt am Main",
    "country": "de",
    "iban": "DE89 3704 0044 0532 0130 00",
    "vat_id": "DE 136 695 976",
    "tax_number": "181/815/08155",
    "roles": ["owner", "prospect"],
    "tags": ["VIP", "Newsletter"],
}


def test_it_creates_a_contact_with_normalised_values(api: ApiClient, agent: Any) -> None:
    response = api.post("/api/v1/contacts", FULL)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["emails"] == [{"value": "Anna.Mueller@Example.de", "kind": "business"}]
    assert [p["value"] for p in body["phones"]] == ["+49691234567", "+491712345678"]
    assert body["phones"][0]["formatted"] == "069 1234567"
    assert body["iban"] == "DE89370400440532013000"
    assert body["vat_id"] == "DE136695976"
    assert body["country"] == "DE"
    assert body["roles"] == ["owner", "prospect"]
    assert body["tags"] == ["Newsletter", "VIP"]
    assert body["letter_salutation_display"] == "Sehr geehrte Frau Dr. Müller"
    contact = Contact.objects.get(pk=body["id"])
    assert contact.emails.get().value_normalized == "anna.mueller@example.de"
    assert contact.created_by == agent
    entry = history_for(contact).get()
    changed = {c["field"]: c["new"] for c in entry.changes}
    assert entry.action == "create" and entry.user == agent
    assert changed["last_name"] == "Müller" and changed["tags"] == ["Newsletter", "VIP"]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("iban", "DE89 3704 0044 0532 0130 01", "Prüfziffer"),
        ("iban", "hallo", "keine IBAN"),
        ("vat_id", "DE136695977", "USt-IdNr."),
        ("tax_number", "12345", "Steuernummer"),
        ("bic", "XYZ", "BIC"),
        ("company_email", "kein-at-zeichen", "E-Mail-Adresse"),
        ("company_phone", "12", "Telefonnummer"),
        ("website", "nicht eine url", "Webadresse"),
    ],
)
def test_it_names_the_problem_of_an_invalid_field(
    api: ApiClient, field: str, value: str, fragment: str
) -> None:
    body = assert_problem(api.post("/api/v1/contacts", {"last_name": "Meier", field: value}), 422)
    errors = [e for e in body["errors"] if e["field"] == field]
    assert errors and fragment in errors[0]["message"], body["errors"]
    assert not Contact.objects.exists()


def test_it_names_an_invalid_email_and_phone_in_the_lists(api: ApiClient) -> None:
    body = assert_problem(
        api.post(
            "/api/v1/contacts",
            {"last_name": "Meier", "emails": [{"value": "meier@"}], "phones": [{"value": "0"}]},
        ),
        422,
    )
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert "„meier@“" in messages["emails"] or "meier@" in messages["emails"]
    assert "Telefonnummer" in messages["phones"]


def test_it_requires_a_name_or_company(api: ApiClient) -> None:
    body = assert_problem(api.post("/api/v1/contacts", {"city": "Köln"}), 422)
    assert body["errors"][0]["field"] == "last_name"
    assert "Nachnamen" in body["errors"][0]["message"]


def test_it_rejects_unknown_fields_and_roles(api: ApiClient) -> None:
    body = assert_problem(api.post("/api/v1/contacts", {"last_name": "X", "shoe_size": 44}), 422)
    assert body["errors"][0]["field"] == "shoe_size"
    assert_problem(api.post("/api/v1/contacts", {"last_name": "X", "roles": ["king"]}), 422)


def test_it_answers_409_with_candidates_for_a_probable_duplicate(
    api: ApiClient, contact: Any, fake_duplicates: Any
) -> None:
    fake_duplicates(contact, "certain", 0.97)
    body = assert_problem(api.post("/api/v1/contacts", {"last_name": "Müller", "first_name": "Anna"}), 409)
    assert body["candidates"] == [
        {
            "id": contact.pk,
            "name": contact.display_name,
            "score": 0.97,
            "level": "certain",
            "reasons": ["gleiche E-Mail-Adresse"],
        }
    ]
    assert Contact.objects.count() == 1
    response = api.post("/api/v1/contacts?allow_duplicate=true", {"last_name": "Müller"})
    assert response.status_code == 201
    note = history_for(Contact.objects.get(pk=response.json()["id"])).get().note
    assert f"#{contact.pk}" in note


def test_it_creates_despite_a_merely_possible_duplicate(
    api: ApiClient, contact: Any, fake_duplicates: Any
) -> None:
    fake_duplicates(contact, "possible", 0.6)
    assert api.post("/api/v1/contacts", {"last_name": "Müller"}).status_code == 201


def test_it_lists_searches_filters_and_sorts(api: ApiClient, office: Any, agent: Any) -> None:
    make_contact(
        office, agent, last_name="Müller", first_name="Anna", city="Bonn", roles=["owner"], tags=["VIP"]
    )
    make_contact(office, agent, last_name="Mueller", first_name="Bernd", city="Aachen")
    make_contact(
        office, agent, last_name="Schmidt", company_name="Müllabfuhr AG", city="Köln",
        phones=[{"value": "+49 221 123456", "kind": "business"}],
        emails=[{"value": "info@muellabfuhr.de"}],
    )  # fmt: skip

    def names(**params: Any) -> list[str]:
        body = api.get("/api/v1/contacts", params).json()
        return [c["last_name"] for c in body["items"]]

    assert names(search="mül") == ["Müller", "Schmidt"]  # name and company prefix
    assert names(search="mul") == ["Müller", "Schmidt"]  # umlauts folded
    assert names(search="mül", ordering="city") == ["Müller", "Schmidt"]
    assert names(ordering="city") == ["Mueller", "Müller", "Schmidt"]
    assert names(ordering="-city") == ["Schmidt", "Müller", "Mueller"]
    assert names(search="0221 123456") == ["Schmidt"]  # phone in national format
    assert names(search="+49 (0)221 12") == ["Schmidt"]  # phone prefix, international
    assert names(search="info@muell") == ["Schmidt"]
    assert names(search="köln") == ["Schmidt"]
    assert names(search="Anna Müller") == ["Müller"]
    assert names(role="owner") == ["Müller"]
    assert names(tag="vip") == ["Müller"]
    assert names(responsible_agent_id=agent.pk) == ["Mueller", "Müller", "Schmidt"]
    body = api.get("/api/v1/contacts", {"limit": 2, "offset": 2}).json()
    assert (body["count"], len(body["items"])) == (3, 1)
    assert_problem(api.get("/api/v1/contacts", {"ordering": "iban"}), 422)
    assert_problem(api.get("/api/v1/contacts", {"role": "king"}), 422)


def test_it_gets_patches_and_records_history(api: ApiClient, contact: Any, agent: Any) -> None:
    assert api.get(f"/api/v1/contacts/{contact.pk}").json()["last_name"] == "Müller"
    response = api.patch(
        f"/api/v1/contacts/{contact.pk}",
        {"city": "Köln", "emails": [{"value": "neu@example.de", "kind": "private"}], "tags": ["VIP"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["city"] == "Köln" and body["first_name"] == "Anna"  # untouched fields stay
    assert body["emails"][0]["value"] == "neu@example.de"
    entry = history_for(contact).filter(action="update").get()
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["city"] == ("Frankfurt am Main", "Köln")
    assert changes["emails"] == (["anna.mueller@example.de (privat)"], ["neu@example.de (privat)"])
    assert changes["tags"] == ([], ["VIP"])
    body = assert_problem(api.patch(f"/api/v1/contacts/{contact.pk}", {"iban": "DE00"}), 422)
    assert body["errors"][0]["field"] == "iban"


def test_it_deletes_only_with_the_delete_capability(
    contact: Any, backoffice_user: Any, api: ApiClient
) -> None:
    body = assert_problem(api_client_for(backoffice_user).delete(f"/api/v1/contacts/{contact.pk}"), 403)
    assert "delete" in body["detail"]
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    assert not Contact.objects.exists()
    assert history_for(contact).filter(action="delete").exists()
    assert_problem(api.get(f"/api/v1/contacts/{contact.pk}"), 404)


def test_read_only_users_may_read_but_not_write(contact: Any, readonly_user: Any) -> None:
    client = api_client_for(readonly_user)
    assert client.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    assert_problem(client.post("/api/v1/contacts", {"last_name": "X"}), 403)
    assert_problem(client.patch(f"/api/v1/contacts/{contact.pk}", {"city": "X"}), 403)
    assert_problem(
        client.post(f"/api/v1/contacts/{contact.pk}/relationships", {"other_id": 1, "kind": "child"}), 403
    )
    assert Contact.objects.get().city == "Frankfurt am Main"


def test_outsiders_never_see_or_touch_another_offices_contacts(contact: Any, outsider: Any) -> None:
    client = api_client_for(outsider)
    assert client.get("/api/v1/contacts").json()["count"] == 0
    assert client.get("/api/v1/contacts", {"search": "Müller"}).json()["items"] == []
    for path in ("", "/vcard", "/files", "/relationships"):
        body = assert_problem(client.get(f"/api/v1/contacts/{contact.pk}{path}"), 404)
        assert "Müller" not in str(body)
    assert_problem(client.patch(f"/api/v1/contacts/{contact.pk}", {"city": "Hamburg"}), 404)
    assert_problem(client.delete(f"/api/v1/contacts/{contact.pk}"), 404)
    own = make_contact(outsider.office, outsider, last_name="Fremd")
    assert_problem(
        client.post(f"/api/v1/contacts/{own.pk}/relationships", {"other_id": contact.pk, "kind": "child"}),
        404,
    )
    assert Contact.objects.get(pk=contact.pk).city == "Frankfurt am Main"


def test_it_exports_a_vcard_4_and_3(api: ApiClient, contact: Any) -> None:
    response = api.get(f"/api/v1/contacts/{contact.pk}/vcard")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "VERSION:4.0" in text and "N:Müller;Anna;;Frau Dr.;" in text
    assert "TEL;VALUE=uri;TYPE=cell:tel:+491712345678" in text
    text3 = api.get(f"/api/v1/contacts/{contact.pk}/vcard", {"version": "3.0"}).content.decode()
    assert "VERSION:3.0" in text3 and "TEL;TYPE=CELL:+491712345678" in text3


def test_it_imports_a_vcard_file_and_reports_a_summary(api: ApiClient, office: Any) -> None:
    upload = SimpleUploadedFile("kontakte.vcf", fixture_bytes("ez-vcard__gmail-list.vcf"), "text/vcard")
    response = api.client.post("/api/v1/contacts/import/vcard", {"file": upload}, headers=api.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"created": 3, "skipped": 0, "failed": 0}
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == ["Beatle", "Smith", "White"]


def test_it_imports_in_a_dry_run_without_creating(api: ApiClient) -> None:
    upload = SimpleUploadedFile("k.vcf", fixture_bytes("ez-vcard__gmail-list.vcf"))
    response = api.client.post(
        "/api/v1/contacts/import/vcard?dry_run=true", {"file": upload}, headers=api.headers
    )
    assert response.json()["counts"]["created"] == 3 and response.json()["dry_run"] is True
    assert not Contact.objects.exists()


def test_it_refuses_a_binary_file_posing_as_a_vcard(api: ApiClient) -> None:
    upload = SimpleUploadedFile("foto.vcf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    body = assert_problem(
        api.client.post("/api/v1/contacts/import/vcard", {"file": upload}, headers=api.headers), 400
    )
    assert "keine vCard" in body["detail"]
    assert not Contact.objects.exists()


def test_it_refuses_a_vcard_over_the_size_limit(api: ApiClient, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("k.vcf", fixture_bytes("ez-vcard__gmail-list.vcf"))
    body = assert_problem(
        api.client.post("/api/v1/contacts/import/vcard", {"file": upload}, headers=api.headers), 400
    )
    assert "zu groß" in body["detail"]
    assert not Contact.objects.exists()


def test_read_only_users_cannot_import(readonly_user: Any) -> None:
    client = api_client_for(readonly_user)
    upload = SimpleUploadedFile("k.vcf", fixture_bytes("ez-vcard__gmail-list.vcf"))
    assert_problem(
        client.client.post("/api/v1/contacts/import/vcard", {"file": upload}, headers=client.headers), 403
    )
    assert not Contact.objects.exists()


def test_it_uploads_lists_downloads_and_deletes_files(api: ApiClient, contact: Any, settings: Any) -> None:
    files = [
        SimpleUploadedFile("Grundbuch.pdf", b"%PDF-1.4 demo", "application/pdf"),
        SimpleUploadedFile("../../etc/passwd", b"root:x:0:0", "text/plain"),
    ]
    response = api.client.post(f"/api/v1/contacts/{contact.pk}/files", {"files": files}, headers=api.headers)
    assert response.status_code == 201, response.content
    names = sorted(f["name"] for f in response.json())
    assert names == ["Grundbuch.pdf", "passwd"]
    stored = ContactFile.objects.get(name="passwd")
    stored_name = stored.file.name
    assert stored_name is not None
    path = (settings.MEDIA_ROOT / stored_name).resolve()
    assert path.is_relative_to(settings.MEDIA_ROOT.resolve()) and "passwd" not in stored_name
    listed = api.get(f"/api/v1/contacts/{contact.pk}/files").json()
    assert {f["name"] for f in listed} == {"Grundbuch.pdf", "passwd"}
    pdf = next(f for f in listed if f["name"] == "Grundbuch.pdf")
    download = api.get(pdf["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Grundbuch.pdf"'
    assert streamed(download) == b"%PDF-1.4 demo"
    assert api.delete(pdf["download_url"]).status_code == 204
    assert [f["name"] for f in api.get(f"/api/v1/contacts/{contact.pk}/files").json()] == ["passwd"]
    assert_problem(api.get(pdf["download_url"]), 404)


def test_it_refuses_files_over_the_limit_and_stores_nothing(
    api: ApiClient, contact: Any, settings: Any
) -> None:
    settings.MAX_UPLOAD_BYTES = 10
    files = [SimpleUploadedFile("klein.txt", b"ok"), SimpleUploadedFile("gross.pdf", b"x" * 11)]
    body = assert_problem(
        api.client.post(f"/api/v1/contacts/{contact.pk}/files", {"files": files}, headers=api.headers), 400
    )
    assert "gross.pdf" in body["detail"] and "zu groß" in body["detail"]
    assert not ContactFile.objects.exists()


def test_it_relates_contacts_and_shows_the_inverse_label(api: ApiClient, contact: Any, office: Any) -> None:
    child = make_contact(office, last_name="Müller", first_name="Ben")
    response = api.post(
        f"/api/v1/contacts/{contact.pk}/relationships", {"other_id": child.pk, "kind": "child"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "Kind"
    seen_from_child = api.get(f"/api/v1/contacts/{child.pk}/relationships").json()
    assert seen_from_child == [
        {
            "id": response.json()["id"],
            "other_id": contact.pk,
            "other_name": contact.display_name,
            "kind": "parent",
            "label": "Elternteil",
        }
    ]
    assert Relationship.objects.count() == 1  # stored once
    again = api.post(f"/api/v1/contacts/{child.pk}/relationships", {"other_id": contact.pk, "kind": "parent"})
    assert "bereits" in assert_problem(again, 400)["detail"]
    self_rel = api.post(
        f"/api/v1/contacts/{child.pk}/relationships", {"other_id": child.pk, "kind": "spouse"}
    )
    assert_problem(self_rel, 400)
    rel_id = response.json()["id"]
    patched = api.patch(f"/api/v1/contacts/{child.pk}/relationships/{rel_id}", {"kind": "employer"})
    assert patched.json()["label"] == "Arbeitgeber"
    assert api.get(f"/api/v1/contacts/{contact.pk}/relationships").json()[0]["label"] == "Mitarbeiter/in"
    custom = api.patch(
        f"/api/v1/contacts/{contact.pk}/relationships/{rel_id}",
        {"kind": "custom", "label": "Patenkind", "inverse_label": "Pate"},
    )
    assert custom.json()["label"] == "Patenkind"
    assert api.get(f"/api/v1/contacts/{child.pk}/relationships").json()[0]["label"] == "Pate"
    assert_problem(api.patch(f"/api/v1/contacts/{child.pk}/relationships/{rel_id}", {"kind": "custom"}), 422)
    assert api.delete(f"/api/v1/contacts/{child.pk}/relationships/{rel_id}").status_code == 204
    assert api.get(f"/api/v1/contacts/{contact.pk}/relationships").json() == []
    assert history_for(child).filter(changes__icontains="relationships").exists()
