"""The periodic tick: a changed property goes out once the agent stopped editing (debounced)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from maklerwerk.portals import services
from maklerwerk.portals.models import TransferRun
from tests.portals.test_ftp_transfer import make_portal, package_xml, uploaded

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tick_sends_a_changed_property_after_the_agent_stopped_editing(
    office, admin_user, agent, listing, ftp_server
):
    portal = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assert services.transfers_tick() == 0  # nothing changed since
    listing.purchase_price = Decimal("329000")
    listing.save()
    assert services.transfers_tick() == 0  # still editing: wait

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert services.transfers_tick() == 1
        assert services.transfers_tick() == 0  # sent: nothing due any more
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None and [e.action for e in run.entries.all()] == ["change"]
    assert package_xml(uploaded(ftp_server)[-1]).findtext("anbieter/immobilie/preise/kaufpreis") == "329000"


def test_an_inactive_portal_gets_nothing(office, admin_user, agent, listing, ftp_server):
    portal = make_portal(office, admin_user, ftp_server, active=False)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert services.transfers_tick() == 0
    assert uploaded(ftp_server) == [] and not TransferRun.objects.exists()
