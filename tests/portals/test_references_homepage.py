"""Sold or let properties as REFERENZ on portals that take them, and the office's own website as a
transfer target: over FTP like any portal, or fetching the current package from a secret URL."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from maklerwerk.portals import services
from maklerwerk.portals.models import Portal, PortalAssignment, TransferRun
from maklerwerk.properties.models import Property
from tests.portals.conftest import is24_portal_data, make_listing, openimmo_schema, xml_child
from tests.portals.test_ftp_transfer import make_portal, package_xml, uploaded

pytestmark = pytest.mark.django_db(transaction=True)


def sell(prop: Property) -> None:
    prop.status = Property.Status.CLOSED
    prop.save()


def test_a_sold_property_becomes_a_reference_on_the_homepage_and_is_deleted_elsewhere(
    office, admin_user, agent, listing, ftp_server, is24
):
    schema = openimmo_schema()
    homepage = make_portal(
        office, admin_user, ftp_server, name="Website", key="website", send_references=True
    )
    portal_is24 = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[homepage.pk, portal_is24.pk], acting_user=agent)
    assert set(PortalAssignment.objects.values_list("state", flat=True)) == {"online"}

    sell(listing)
    services.property_transfer_now(prop=listing, acting_user=agent)

    on_homepage = PortalAssignment.objects.get(portal=homepage)
    assert on_homepage.state == "reference" and on_homepage.get_state_display() == "Online als Referenz"
    run = TransferRun.objects.filter(portal=homepage).first()
    assert run is not None and run.message.endswith("1 als Referenz")
    assert [e.get_action_display() for e in run.entries.all()] == ["Referenz (verkauft/vermietet)"]
    root = package_xml(Path(run.package.path))
    assert schema.validate(root), schema.error_log
    imm = xml_child(root, "anbieter/immobilie")
    assert xml_child(imm, "verwaltung_techn/aktion").get("aktionart") == "REFERENZ"
    assert imm.findtext("preise/kaufpreis") == "350000" and imm.find("anhaenge/anhang") is not None
    # IS24 takes no references: the listing is deleted there.
    on_is24 = PortalAssignment.objects.get(portal=portal_is24)
    assert on_is24.state == "offline" and is24["app"].listings(is24["user"]) == {}

    # Nothing changed: the reference is not sent again; a full transfer repeats it as REFERENZ.
    quiet = services.transfer_start(portal=homepage, full=False, acting_user=agent)
    quiet.refresh_from_db()
    assert quiet.message.startswith("Keine Änderungen") and not quiet.package
    full = services.transfer_start(portal=homepage, full=True, acting_user=agent)
    full.refresh_from_db()
    again = xml_child(package_xml(Path(full.package.path)), "anbieter/immobilie")
    assert xml_child(again, "verwaltung_techn/aktion").get("aktionart") == "REFERENZ"
    on_homepage.refresh_from_db()
    assert on_homepage.state == "reference"

    # Unassigned: the reference is deleted from the website too.
    services.property_portals_set(prop=listing, portal_ids=[], acting_user=agent)
    on_homepage.refresh_from_db()
    assert on_homepage.state == "offline"
    assert len(uploaded(ftp_server)) == 4  # new, reference, full, delete


def test_a_portal_without_references_deletes_the_sold_property(
    office, admin_user, agent, listing, ftp_server
):
    portal = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    sell(listing)
    services.property_transfer_now(prop=listing, acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None and [e.action for e in run.entries.all()] == ["delete"]
    assert PortalAssignment.objects.get(portal=portal).state == "offline"


def pull_portal(admin: Any) -> Portal:
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/portals/new/",
        {
            "name": "Unsere Website", "key": "website", "kind": "openimmo_pull", "active": "on",
            "port": 21, "picture_max_kb": 2000, "anbieternr": "K12345", "send_references": "on",
            "filename_pattern": "{portal}-{anbieternr}-{timestamp}.zip", "api_url": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    return Portal.objects.get(key="website")


def test_the_website_fetches_the_current_package_from_its_secret_url(office, admin_user, agent, listing):
    schema = openimmo_schema()
    portal = pull_portal(admin_user)
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/portals/{portal.pk}/").content.decode()
    assert "Noch keine Abruf-URL" in page
    answer = admin.post(f"/portals/{portal.pk}/feed-token/", follow=True).content.decode()
    assert "Neue Abruf-URL für die Website" in answer
    url = answer.split('id="feed-url"', 1)[1].split('value="http://testserver', 1)[1].split('"', 1)[0]
    assert url.endswith("/openimmo.zip")
    portal.refresh_from_db()
    assert portal.feed_token_hash and portal.feed_token_hash not in url  # only the hash is stored
    assert "Die Website holt das Paket über ihre Abruf-URL." in admin.get("/portals/").content.decode()

    other = make_listing(office, agent, "MW-0002")
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    services.property_portals_set(prop=other, portal_ids=[portal.pk], acting_user=agent)
    website = Client()  # not logged in: the secret is the key
    response = website.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.getvalue())) as zf:
        xml = next(n for n in zf.namelist() if n.endswith(".xml"))
        root = etree.fromstring(zf.read(xml))
    assert schema.validate(root), schema.error_log
    assert xml_child(root, "uebertragung").get("umfang") == "VOLL"  # everything, every time
    ids = sorted(i.findtext("verwaltung_techn/objektnr_extern") or "" for i in root.iter("immobilie"))
    assert ids == ["MW-0001", "MW-0002"]
    assert set(PortalAssignment.objects.values_list("state", flat=True)) == {"online"}

    assert website.get(url.replace("/feed/", "/feed/x")).status_code == 404
    admin.post(f"/portals/{portal.pk}/feed-token/")  # a new URL: the old one stops working
    assert website.get(url).status_code == 404
