"""The same assign / change / withdraw flow against the ImmobilienScout24 stand-in (OAuth 1.0a,
ext- ids, attachments and their order, publish channel 10000)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from maklerwerk.inquiries.models import PortalListing
from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment, TransferRun
from tests.portals.conftest import add_picture, is24_portal_data

pytestmark = pytest.mark.django_db(transaction=True)


def body_of(is24: dict[str, Any], external_id: str) -> dict[str, Any] | None:
    found = is24["app"].by_external_id(is24["user"], external_id)
    return found["body"] if found else None


def test_assign_change_withdraw_on_is24(office, admin_user, agent, listing, is24):
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)

    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    first_run = TransferRun.objects.first()
    assert assignment.state == "online", first_run.message if first_run else "no run"
    record = is24["app"].by_external_id(is24["user"], "MW-0001")
    scout_id = assignment.portal_object_id
    assert record is not None and scout_id and assignment.expose_url.endswith(f"/expose/{scout_id}")
    assert (scout_id, 10000) in is24["app"].publications
    assert record["body"]["price"]["value"] == 350000.0
    assert record["body"]["energyCertificate"]["energyEfficiencyClass"] == "D"
    # Pictures: the photo first, so it is the title picture; the floor plan flagged.
    pictures = [record["attachments"][i] for i in is24["app"].order(record)]
    assert [p["metadata"]["titlePicture"] for p in pictures] == ["true", "false"]
    assert [p["metadata"]["floorplan"] for p in pictures] == ["false", "true"]
    # Inquiry mails that name the Scout id now find the property.
    assert PortalListing.objects.filter(source="immoscout24", portal_id=scout_id, property=listing).exists()

    listing.purchase_price = Decimal("339000")
    listing.save()
    add_picture(listing, caption="Bad")
    before = len(is24["app"].requests)
    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "succeeded" and [e.action for e in run.entries.all()] == ["change"]
    body = body_of(is24, "MW-0001")
    assert body is not None and body["price"]["value"] == 339000.0
    puts = [r for r in is24["app"].requests[before:] if r.method == "PUT" and "/attachment" not in r.path]
    assert len(puts) == 1 and "title" in puts[0].keys and "courtage" in puts[0].keys  # the whole object
    record = is24["app"].by_external_id(is24["user"], "MW-0001")
    assert len(record["attachments"]) == 3
    assert len(is24["app"].listings(is24["user"])) == 1  # never listed twice

    services.property_portals_set(prop=listing, portal_ids=[], acting_user=agent)
    assignment.refresh_from_db()
    assert assignment.state == "offline" and assignment.portal_object_id == ""
    assert is24["app"].listings(is24["user"]) == {} and not is24["app"].publications
    assert not PortalListing.objects.filter(source="immoscout24").exists()
    assert is24["app"].parallel_publishes == 0


def test_an_is24_validation_error_shows_the_field_and_the_next_run_works(
    office, admin_user, agent, listing, is24
):
    listing.title = "Sehr " * 30  # IS24 allows 100 characters
    listing.save()
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "error"
    assert assignment.last_error == "ImmobilienScout24 lehnt Angaben ab – title: Text zu lang"

    listing.title = "Helle Wohnung"
    listing.save()
    services.transfer_start(portal=portal, full=False, acting_user=agent)
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""


def test_a_revoked_token_stops_the_run_with_a_reconnect_hint(office, admin_user, agent, listing, is24):
    is24["app"].revoke(is24["token"])
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None and run.state == "failed" and "bitte neu verbinden" in run.message
    assert PortalAssignment.objects.get(portal=portal, property=listing).state == "error"


def test_the_connection_check_answers_in_german(office, admin_user, is24):
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    assert services.portal_check(portal=portal, acting_user=admin_user) == "OK: ImmobilienScout24 verbunden."
    services.portal_update(portal=portal, acting_user=admin_user, data={"access_secret": "falsch"})
    assert "bitte neu verbinden" in services.portal_check(portal=portal, acting_user=admin_user)
