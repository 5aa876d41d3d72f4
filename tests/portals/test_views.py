"""The pages: Einstellungen → Portale, the property's "Portale" tab and the transfer log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.portals.models import Portal, PortalAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create_portal(admin: Any, ftp: dict[str, Any]) -> Portal:
    response = client_for(admin).post(
        "/portals/new/",
        {
            "name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "active": "on",
            "host": ftp["host"], "port": ftp["port"], "username": ftp["user"], "password": ftp["password"],
            "folder": "import", "passive": "on", "anbieternr": "K12345", "picture_max_kb": 2000,
            "filename_pattern": "{portal}-{anbieternr}-{timestamp}.zip", "api_url": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    return Portal.objects.get(key="immowelt")


def test_admin_sets_up_a_portal_and_tests_the_connection(admin_user, ftp_server):
    portal = create_portal(admin_user, ftp_server)
    assert portal.get_password() == "secret" and portal.active
    client = client_for(admin_user)
    page = client.get("/portals/").content.decode()
    assert "immowelt" in page and "Verbindung testen" in page
    answer = client.post(f"/portals/{portal.pk}/check/", follow=True).content.decode()
    assert "OK: 220" in answer
    # Secrets are write-only: the edit form never shows the stored password.
    edit = client.get(f"/portals/{portal.pk}/").content.decode()
    assert 'value="secret"' not in edit and "Gespeichert. Leer lassen" in edit
    assert "Portale" in client.get("/settings/").content.decode()


def test_an_agent_may_not_set_up_portals(agent, ftp_server):
    assert client_for(agent).get("/portals/new/").status_code == 403


def test_agent_assigns_on_the_tab_and_sees_online_and_the_log(admin_user, agent, listing, ftp_server):
    portal = create_portal(admin_user, ftp_server)
    client = client_for(agent)
    tab = client.get(f"/portals/property/{listing.pk}/tab/", headers={"HX-Request": "true"}).content.decode()
    assert "immowelt" in tab and "Noch nichts übertragen" in tab
    response = client.post(
        f"/portals/property/{listing.pk}/assign/",
        {"portal_ids": [portal.pk], "next": f"/properties/{listing.pk}/"},
    )
    assert response.status_code == 302
    tab = client.get(f"/portals/property/{listing.pk}/tab/").content.decode()
    assert "Online" in tab and "Neu" in tab and "OK" in tab
    log = client.get(f"/portals/{portal.pk}/runs/").content.decode()
    assert "MW-0001" in log and "1 neu, 0 aktualisiert, 0 gelöscht, 0 nicht gesendet" in log
    run = portal.runs.filter(package__gt="").first()
    assert run is not None
    package = client.get(f"/portals/{portal.pk}/runs/{run.pk}/package/")
    assert package.status_code == 200 and package["Content-Disposition"].endswith('.zip"')

    client.post(f"/portals/property/{listing.pk}/assign/", {"next": f"/properties/{listing.pk}/"})
    assert PortalAssignment.objects.get(portal=portal, property=listing).state == "offline"
    assert "Löschen" in client.get(f"/portals/property/{listing.pk}/tab/").content.decode()


def test_a_portal_of_another_office_cannot_be_assigned(admin_user, agent, listing, outsider, ftp_server):
    from maklerwerk.portals import services

    foreign = services.portal_create(
        office=outsider.office, acting_user=None, data={"name": "fremd", "key": "fremd"}
    )
    response = client_for(agent).post(f"/portals/property/{listing.pk}/assign/", {"portal_ids": [foreign.pk]})
    assert response.status_code == 302
    assert not PortalAssignment.objects.exists()
