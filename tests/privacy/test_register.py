"""The Verarbeitungsverzeichnis (Art. 30 DSGVO, issue 22): generated from the office's settings
and data, editable, as HTML page and PDF."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from maklerwerk.contacts.services import contact_create
from maklerwerk.privacy.models import AccessLogEntry, PrivacySettings, RetentionRule
from tests.accounts.test_two_factor import enrol, now_code

pytestmark = pytest.mark.django_db


def test_it_is_generated_from_the_office_and_its_data_and_keeps_the_edits(
    office: Any, admin_user: Any, tmp_path: Any
) -> None:
    office.street, office.postal_code, office.email = "Domstraße 1", "50667", "info@testbuero.example"
    office.save()
    enrol(admin_user)
    for name in ("Eins", "Zwei"):
        contact_create(office=office, acting_user=admin_user, data={"last_name": name, "roles": ["prospect"]})
    RetentionRule.objects.create(office=office, kind="invoice", years=10, legal_basis="Eigene Regel")
    PrivacySettings.objects.create(office=office, inactive_months=24)
    client = Client()
    client.post("/login/", {"username": admin_user.username, "password": "Geheim-Passwort-1"})
    client.post("/login/code/", {"code": now_code(TOTPDevice.objects.get(user=admin_user), 1)})
    page = client.get("/privacy/register/").content.decode()
    for expected in (
        "Testbüro Immobilien GmbH",
        "Domstraße 1, 50667 Köln",
        "Interessent: 2",
        "Rechnung oder Provisionsabrechnung: 10 Jahre (Eigene Regel)",
        "nach 24 Monaten ohne Aktivität",
        "Zwei-Faktor-Anmeldung: freiwillig",
        "1 von 1 aktiven Benutzern melden sich mit zwei Faktoren an",
        "Kategorien personenbezogener Daten",
    ):
        assert expected in page, expected
    # An edit stays; an emptied field follows the data again.
    form = client.get("/privacy/register/edit/").content.decode()
    assert 'name="crm.recipients"' in form
    client.post(
        "/privacy/register/edit/",
        {
            "dpo": "Datenschutz Nord GmbH, Bremen",
            "crm.recipients": "Mitarbeiter; Steuerberater",
            "controller": "",
        },
    )
    page = client.get("/privacy/register/").content.decode()
    assert "Datenschutz Nord GmbH, Bremen" in page and "Mitarbeiter; Steuerberater" in page
    assert "Domstraße 1, 50667 Köln" in page and "bearbeitet" in page
    contact_create(office=office, acting_user=admin_user, data={"last_name": "Drei", "roles": ["prospect"]})
    assert "Interessent: 3" in client.get("/privacy/register/").content.decode()
    assert AccessLogEntry.objects.filter(action="register", user=admin_user).exists()

    response = client.get("/privacy/register.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "v.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Verzeichnis von Verarbeitungstätigkeiten" in text and "Datenschutz Nord GmbH" in text


def test_only_the_privacy_role_sees_and_edits_it(agent: Any, readonly_user: Any) -> None:
    for user in (agent, readonly_user):
        client = Client()
        client.force_login(user)
        assert client.get("/privacy/register/").status_code == 403
        assert client.post("/privacy/register/edit/", {"dpo": "x"}).status_code == 403
        assert client.get("/privacy/register.pdf").status_code == 403
