"""A published tour reaches every portal with the next transfer, switchable per portal: the IS24
"Link" attachment and the 360° title picture on the ImmobilienScout24 stand-in, the OpenImmo link on a
real FTP server; switched off for one portal, both are gone there with its next transfer."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment
from maklerwerk.tours.services import tour_publish
from tests.portals.conftest import is24_portal_data
from tests.portals.test_ftp_transfer import make_portal, uploaded
from tests.tours.conftest import link_tour

pytestmark = pytest.mark.django_db(transaction=True)

OPEN = "https://my.matterport.com/show/?m=SxQL3iGyoDo"


def package_xml(path: Path) -> Any:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(next(n for n in zf.namelist() if n.endswith(".xml"))))


def is24_attachments(is24: dict[str, Any]) -> list[dict[str, Any]]:
    record = is24["app"].by_external_id(is24["user"], "MW-0360")
    return [record["attachments"][i]["metadata"] for i in is24["app"].order(record)]


def title_checksum(is24: dict[str, Any]) -> str:
    return next(a["externalCheckSum"] for a in is24_attachments(is24) if a.get("titlePicture") == "true")


def test_the_tour_link_goes_to_is24_and_openimmo_and_each_portal_can_be_switched_off(
    office, admin_user, agent, prop, is24, ftp_server
):
    scout = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    feed = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=prop, portal_ids=[scout.pk, feed.pk], acting_user=agent)
    assert set(PortalAssignment.objects.values_list("state", flat=True)) == {"online"}
    assert not [a for a in is24_attachments(is24) if a["@xsi.type"] == "common:Link"]
    original_title = title_checksum(is24)

    tour, _secret = link_tour(prop, agent)
    tour_publish(tour=tour, published=True, acting_user=agent)
    services.property_transfer_now(prop=prop, acting_user=agent)
    links = [a for a in is24_attachments(is24) if a["@xsi.type"] == "common:Link"]
    assert [(a["url"], a["title"]) for a in links] == [(OPEN, "Virtueller Rundgang (360°)")]
    assert title_checksum(is24) != original_title  # the 360° banner copy is the title picture now
    root = package_xml(uploaded(ftp_server)[-1])
    assert root.findtext(".//geo/virtuelletour") == "true"
    assert root.xpath('.//anhang[@gruppe="LINKS"]/daten/pfad')[0].text == OPEN

    # Another transfer sends the link once, not again.
    posted = len([r for r in is24["app"].requests if r.method == "POST" and r.path.endswith("/attachment")])
    services.transfer_start(portal=scout, full=True, acting_user=agent)
    assert len([a for a in is24_attachments(is24) if a["@xsi.type"] == "common:Link"]) == 1
    again = len([r for r in is24["app"].requests if r.method == "POST" and r.path.endswith("/attachment")])
    assert again == posted

    # Off for IS24 only: gone there with the next transfer, still in the OpenImmo feed.
    tour_publish(tour=tour, published=True, channels_off=[f"portal:{scout.pk}"], acting_user=agent)
    services.property_transfer_now(prop=prop, acting_user=agent)
    assert not [a for a in is24_attachments(is24) if a["@xsi.type"] == "common:Link"]
    assert title_checksum(is24) == original_title
    root = package_xml(uploaded(ftp_server)[-1])
    assert root.xpath('.//anhang[@gruppe="LINKS"]/daten/pfad')[0].text == OPEN

    # Unpublished: gone from the feed as well.
    tour_publish(tour=tour, published=False, acting_user=agent)
    services.property_transfer_now(prop=prop, acting_user=agent)
    root = package_xml(uploaded(ftp_server)[-1])
    assert root.find(".//geo/virtuelletour") is None and not root.xpath('.//anhang[@gruppe="LINKS"]')


def test_an_unknown_portal_switch_is_refused_in_german(prop, agent):
    from maklerwerk.core.exceptions import ApplicationError

    tour, _secret = link_tour(prop, agent)
    with pytest.raises(ApplicationError, match="Unbekannter Kanal: portal:999999"):
        tour_publish(tour=tour, published=True, channels_off=["portal:999999"], acting_user=agent)


def test_switching_a_tour_on_is_a_change_the_next_partial_transfer_sends(
    office, admin_user, agent, prop, ftp_server
):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    feed = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=prop, portal_ids=[feed.pk], acting_user=agent)
    tour, _secret = link_tour(prop, agent)
    sent = len(uploaded(ftp_server))
    # Later than the partial run's margin for open transactions (2 minutes): only changes count.
    with time_machine.travel(start + dt.timedelta(minutes=10)):
        services.transfer_start(portal=feed, full=False, acting_user=agent)
    with time_machine.travel(start + dt.timedelta(minutes=20)):
        services.transfer_start(portal=feed, full=False, acting_user=agent)
        assert len(uploaded(ftp_server)) <= sent + 1  # the second run had nothing to send
        before = len(uploaded(ftp_server))
    with time_machine.travel(start + dt.timedelta(minutes=30)):
        tour_publish(tour=tour, published=True, acting_user=agent)
    with time_machine.travel(start + dt.timedelta(minutes=40)):
        services.transfer_start(portal=feed, full=False, acting_user=agent)
    assert len(uploaded(ftp_server)) == before + 1
    root = package_xml(uploaded(ftp_server)[-1])
    assert root.xpath('.//anhang[@gruppe="LINKS"]/daten/pfad')[0].text == OPEN
