"""The portal API: accounts (secrets write-only), a property's portals, runs with hints, the package."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db(transaction=True)


def test_portal_assign_transfer_and_package_over_the_api(admin_user, agent, listing, ftp_server):
    admin = api_client_for(admin_user)
    created = admin.post(
        "/api/v1/portals",
        {"name": "immowelt", "key": "immowelt", "active": True, "host": ftp_server["host"],
         "port": ftp_server["port"], "username": "portal", "password": "secret", "anbieternr": "K1"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    portal = created.json()
    assert portal["password_set"] is True and "password" not in portal

    api = api_client_for(agent)
    assigned = api.put(f"/api/v1/properties/{listing.pk}/portals", {"portal_ids": [portal["id"]]})
    assert assigned.status_code == 200
    assert [(a["portal"], a["state"]) for a in assigned.json()] == [("immowelt", "online")]

    run = api.post(f"/api/v1/portals/{portal['id']}/transfers", {"full": True})
    assert run.status_code == 202
    detail = api.get(f"/api/v1/portals/{portal['id']}/transfers/{run.json()['id']}").json()
    assert detail["state"] == "succeeded" and detail["has_package"] is True
    assert [(e["external_id"], e["action"], e["result"]) for e in detail["entries"]] == [
        ("MW-0001", "change", "ok")
    ]
    package = api.get(f"/api/v1/portals/{portal['id']}/transfers/{detail['id']}/package")
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content))) as zf:
        assert sum(n.endswith(".xml") for n in zf.namelist()) == 1

    withdrawn = admin.post(f"/api/v1/portals/{portal['id']}/withdraw-all")
    assert withdrawn.status_code == 202 and withdrawn.json()["entries"][0]["action"] == "delete"
    assert api.get(f"/api/v1/properties/{listing.pk}/portals").json()[0]["state"] == "offline"


def test_agents_may_not_create_portals_and_other_offices_see_none(agent, outsider, admin_user):
    assert_problem(api_client_for(agent).post("/api/v1/portals", {"name": "x", "key": "x"}), 403)
    created = api_client_for(admin_user).post("/api/v1/portals", {"name": "x", "key": "x"}).json()
    assert_problem(api_client_for(outsider).get(f"/api/v1/portals/{created['id']}"), 404)


def test_the_cli_writes_the_package_and_runs_a_transfer(office, admin_user, listing, ftp_server, tmp_path):
    from django.core.management import call_command

    from maklerwerk.portals import services

    out = tmp_path / "export.zip"
    call_command("openimmo_export", "--out", str(out), "--office", str(office.pk))
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["MW-0001_01.jpg", "MW-0001_02.jpg", "export.xml"]

    portal = services.portal_create(
        office=office, acting_user=admin_user,
        data={"name": "immowelt", "key": "immowelt", "active": False, "host": ftp_server["host"],
              "port": ftp_server["port"], "username": "portal", "password": "secret"},
    )  # fmt: skip
    services.portal_update(portal=portal, acting_user=admin_user, data={"active": True})
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=admin_user)
    buffer = io.StringIO()
    call_command("portal_transfer", str(portal.pk), "--full", stdout=buffer)
    assert "MW-0001: Aktualisierung OK" in buffer.getvalue() and "Erfolgreich" in buffer.getvalue()
