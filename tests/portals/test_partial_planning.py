"""A partial transfer looks only at what changed since the last successful run (found through
indexes), so its log and its cost follow the changes, not the portfolio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment, TransferRun
from maklerwerk.properties.models import Property
from maklerwerk.properties.services import property_image_update
from tests.portals.conftest import add_picture, make_listing
from tests.portals.test_ftp_transfer import make_portal, package_xml

pytestmark = pytest.mark.django_db(transaction=True)


def portfolio(office, agent, n: int) -> list[Property]:
    props = [make_listing(office, agent, f"MW-{i:04d}", purchase_price=Decimal(300000 + i)) for i in range(n)]
    for prop in props:
        add_picture(prop, caption="Wohnzimmer")
    return props


def assign_all(portal, props) -> None:
    PortalAssignment.objects.bulk_create(
        [PortalAssignment(office_id=p.office_id, portal=portal, property=p) for p in props]
    )


def age(props, minutes: int = 10) -> None:
    """As if the properties were last edited a while ago (before the last run's margin)."""
    ids = [p.pk for p in props]
    Property.objects.filter(pk__in=ids).update(
        updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    )


def test_a_partial_transfer_plans_only_the_changed_properties(office, admin_user, agent, ftp_server):
    portal = make_portal(office, admin_user, ftp_server, active=False)
    props = portfolio(office, agent, 12)
    assign_all(portal, props)
    age(props)
    services.portal_update(portal=portal, acting_user=admin_user, data={"active": True})  # full, at once
    first = TransferRun.objects.filter(portal=portal).first()
    assert first is not None and first.state == "succeeded" and first.entries.count() == 12

    changed = props[3]
    changed.purchase_price = Decimal("299000")
    changed.save()
    image = props[7].images.get()
    property_image_update(image=image, acting_user=agent, caption="Neue Küche", kind=image.kind)

    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "succeeded", run.message
    # The log lists the two changes, not twelve "unchanged" rows.
    assert sorted((e.external_id, e.action) for e in run.entries.all()) == [
        ("MW-0003", "change"), ("MW-0007", "change")
    ]  # fmt: skip
    root = package_xml(Path(run.package.path))
    assert sorted(i.findtext("verwaltung_techn/objektnr_extern") or "" for i in root.iter("immobilie")) == [
        "MW-0003", "MW-0007"
    ]  # fmt: skip

    # A full transfer still sends everything (and a waiting assignment is never missed).
    newcomer = make_listing(office, agent, "MW-0100")
    age([newcomer], minutes=60)
    services.property_portals_set(prop=newcomer, portal_ids=[portal.pk], acting_user=agent)
    assert PortalAssignment.objects.get(property=newcomer).state == "online"
    full = services.transfer_start(portal=portal, full=True, acting_user=agent)
    full.refresh_from_db()
    assert full.entries.count() == 13


def test_without_a_successful_run_every_assignment_is_planned(office, admin_user, agent, ftp_server):
    portal = make_portal(office, admin_user, ftp_server, password="falsch", active=False)
    props = portfolio(office, agent, 3)
    assign_all(portal, props)
    age(props)
    services.portal_update(portal=portal, acting_user=admin_user, data={"active": True})
    failed = TransferRun.objects.filter(portal=portal).first()
    assert failed is not None and failed.state == "failed"
    services.portal_update(portal=portal, acting_user=admin_user, data={"password": "secret"})
    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "succeeded" and run.entries.filter(action="new").count() == 3
    assert set(PortalAssignment.objects.values_list("state", flat=True)) == {"online"}
