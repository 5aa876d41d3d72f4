"""Servers that rewrite cards, know no sync tokens, hold unreadable cards or are full."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.davsync import services
from maklerwerk.davsync.models import SyncEvent
from tests.davsync.conftest import FIXTURES, card
from tests.davsync.standin import StandIn, serve
from tests.davsync.test_carddav import make_contact, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin() -> Iterator[StandIn]:
    app = StandIn()
    server, thread = serve(app)
    yield app
    server.shutdown()
    thread.join(5)


@pytest.fixture
def standin_account(agent: Any, standin: StandIn) -> Any:
    return services.dav_account_create(
        user=agent,
        data={"kind": "carddav", "url": standin.url, "username": "a", "password": "b", "scope": "flagged"},
    )


def test_server_that_rewrites_cards_does_not_make_the_sync_loop(
    agent: Any, standin: StandIn, standin_account: Any
) -> None:
    contact = make_contact(
        agent,
        first_name="Otto",
        last_name="Rewrite",
        emails=[{"value": "otto@example.org", "kind": "private"}],
    )
    services.sync_flags_set(account=standin_account, contact_ids=[contact.pk], enabled=True)
    first = sync(standin_account)
    assert first.counts == {"created_there": 1} and first.full_listing
    (name,) = standin.cards
    stored = standin.cards[name]
    assert b"PRODID:-//StandIn//EN" in stored
    for _run in range(2):
        again = sync(standin_account)
        assert again.writes == 0 and not set(again.counts) - {"unchanged"}, again.counts
    assert standin.puts == 1 and standin.cards[name] == stored
    assert Contact.objects.count() == 1


def test_unreadable_cards_stay_on_the_server_and_are_reported_once(
    agent: Any, standin: StandIn, standin_account: Any
) -> None:
    broken = (FIXTURES / "radicale__broken-vcards.vcf").read_bytes()
    standin.cards["broken.vcf"] = b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:no name at all\r\nEND:VCARD\r\n"
    standin.cards["radicale.vcf"] = broken
    standin.cards["ok.vcf"] = card("ok-1", "Paula", "Gut").encode()
    report = sync(standin_account)
    assert report.counts.get("created_here", 0) >= 1 and report.counts["broken"] >= 1
    warnings = list(
        standin_account.events.filter(level=SyncEvent.Level.WARNING).values_list("message", flat=True)
    )
    assert any("ist nicht lesbar und bleibt unverändert auf dem Server" in w for w in warnings)
    assert standin.cards["broken.vcf"].startswith(b"BEGIN:VCARD") and standin.cards["radicale.vcf"] == broken
    assert Contact.objects.filter(last_name="Gut").count() == 1
    again = sync(standin_account)
    assert again.writes == 0
    assert standin_account.events.filter(level=SyncEvent.Level.WARNING).count() == len(warnings)


def test_full_server_507_is_a_clear_state_and_the_next_run_works(
    agent: Any, standin: StandIn, standin_account: Any
) -> None:
    contact = make_contact(agent, first_name="Quirin", last_name="Voll")
    services.sync_flags_set(account=standin_account, contact_ids=[contact.pk], enabled=True)
    standin.full = True
    with pytest.raises(ApplicationError, match="keinen Speicherplatz mehr"):
        sync(standin_account)
    standin_account.refresh_from_db()
    assert standin_account.state == "error" and "(507)" in standin_account.state_message
    standin.full = False
    assert sync(standin_account).counts == {"created_there": 1}
    assert len(standin.cards) == 1 and sync(standin_account).writes == 0
