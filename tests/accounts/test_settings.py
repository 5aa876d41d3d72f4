from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.accounts.models import ApiToken
from maklerwerk.core.models import ChangeLog
from tests.conftest import streamed

pytestmark = pytest.mark.django_db

OFFICE_FORM = {
    "name": "Testbüro Immobilien GmbH",
    "street": "Domstraße 1",
    "postal_code": "50667",
    "city": "Köln",
    "country": "DE",
    "phone": "",
    "email": "info@testbuero.example",
    "website": "",
    "imprint": "",
    "email_signature": "Viele Grüße",
    "terms_text": "AGB Version 2",
    "cancellation_notice_text": "Widerrufsbelehrung",
}


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_admin_saves_office_settings_and_the_history_shows_old_and_new(admin_user: Any, office: Any) -> None:
    client = _login(admin_user)
    response = client.post("/settings/", OFFICE_FORM, follow=True)
    assert "Büroeinstellungen gespeichert" in response.content.decode()
    office.refresh_from_db()
    assert office.street == "Domstraße 1" and office.terms_text == "AGB Version 2"
    entry = ChangeLog.objects.get(object_id=str(office.pk), action="update")
    assert entry.user == admin_user
    assert {"field": "street", "old": "", "new": "Domstraße 1"} in entry.changes
    html = client.get("/settings/").content.decode()
    assert "Domstraße 1" in html and "Ada Admin" in html and "Straße und Hausnummer" in html


def test_it_shows_field_errors_in_german_and_saves_nothing(admin_user: Any, office: Any) -> None:
    response = _login(admin_user).post("/settings/", {**OFFICE_FORM, "email": "kein-mail", "name": ""})
    html = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich" in html
    assert "Bitte gültige E-Mail-Adresse eingeben" in html
    office.refresh_from_db()
    assert office.name == "Testbüro Immobilien GmbH"
    assert not ChangeLog.objects.filter(action="update").exists()


def test_an_agent_cannot_change_office_settings(agent: Any, office: Any) -> None:
    response = _login(agent).post("/settings/", {**OFFICE_FORM, "name": "Gekapert"}, follow=True)
    assert "darf die Büroeinstellungen nicht ändern" in response.content.decode()
    office.refresh_from_db()
    assert office.name == "Testbüro Immobilien GmbH"


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(agent: Any) -> None:
    client = _login(agent)
    client.post("/settings/tokens/", {"name": "Website"})
    html = client.get("/settings/").content.decode()
    token = ApiToken.objects.get(user=agent)
    assert f'id="new-token">{token.prefix}' in html
    assert f'id="new-token">{token.prefix}' not in client.get("/settings/").content.decode()
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert not token.is_active


def test_a_user_cannot_revoke_someone_elses_token(agent: Any, admin_user: Any) -> None:
    from maklerwerk.accounts.services import api_token_create

    token, _ = api_token_create(user=admin_user, name="Admin")
    _login(agent).post(f"/settings/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.is_active


def test_read_only_users_get_403_on_forbidden_actions(readonly_user: Any) -> None:
    client = _login(readonly_user)
    assert client.get("/settings/").status_code == 200
    response = client.post("/settings/export/")
    assert response.status_code == 403
    assert "Ihre Rolle erlaubt diese Aktion nicht" in response.content.decode()


def test_an_uploaded_logo_is_shown_and_a_non_image_is_refused(admin_user: Any, office: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buf, "PNG")
    client = _login(admin_user)
    fake = SimpleUploadedFile("logo.png", b"not really a png", content_type="image/png")
    html = client.post("/settings/", {**OFFICE_FORM, "logo": fake}).content.decode()
    assert "Bitte ein gültiges Bild hochladen" in html
    office.refresh_from_db()
    assert not office.logo
    logo = SimpleUploadedFile("../../etc/logo.png", buf.getvalue(), content_type="image/png")
    client.post("/settings/", {**OFFICE_FORM, "logo": logo})
    office.refresh_from_db()
    assert office.logo.name.startswith("office/") and ".." not in office.logo.name
    assert f"/office/{office.pk}/logo/" in client.get("/settings/").content.decode()
    response = Client().get(f"/office/{office.pk}/logo/")
    assert response.status_code == 200
    assert streamed(response) == buf.getvalue()


def test_the_settings_page_links_to_templates_smtp_and_mailboxes(agent: Any) -> None:
    html = _login(agent).get("/settings/").content.decode()
    assert "Vorlagen und E-Mail" in html
    for url in (
        "/mailing/templates/",
        "/mailing/smtp/",
        "/exposes/layouts/",
        "/inquiries/mailboxes/",
        "/duplicates/",
    ):
        assert f'href="{url}"' in html


def test_the_settings_cards_and_the_token_hint_read_in_german(agent: Any) -> None:
    html = _login(agent).get("/settings/").content.decode()
    for text in ("Anfrage-Postfächer", "Dublettenprüfung", "Schwellenwerte und Dublettengruppen"):
        assert text in html
    for english in ("Inquiry mailboxes", "Duplicate check"):
        assert english not in html
    # The placeholder is shown, not swallowed by the browser as an unknown <token> tag.
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html


def test_the_office_country_is_chosen_by_name_and_stored_as_its_code(admin_user: Any, office: Any) -> None:
    client = _login(admin_user)
    html = client.get("/settings/").content.decode()
    assert '<select name="country"' in html and '<option value="DE" selected>Deutschland</option>' in html
    assert '<option value="AT">Österreich</option>' in html
    client.post("/settings/", {**OFFICE_FORM, "country": "AT"})
    office.refresh_from_db()
    assert office.country == "AT"
    refused = client.post("/settings/", {**OFFICE_FORM, "country": "XX"}).content.decode()
    assert "Bitte eine gültige Auswahl treffen" in refused
    office.refresh_from_db()
    assert office.country == "AT"


def test_a_map_tile_server_needs_its_placeholders(admin_user: Any, office: Any) -> None:
    client = _login(admin_user)
    html = client.get("/settings/").content.decode()
    assert "Kartenkachel-Server" in html and "keine Seite fragt einen anderen Server" in html
    refused = client.post("/settings/", {**OFFICE_FORM, "map_tile_url": "https://tiles.example.org/"})
    assert "mit {z}, {x} und {y}" in refused.content.decode()
    office.refresh_from_db()
    assert office.map_tile_url == ""
    client.post(
        "/settings/", {**OFFICE_FORM, "map_tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    )
    office.refresh_from_db()
    assert office.map_tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
