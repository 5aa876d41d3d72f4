"""A server that is offline (for a day, or going down in the middle of a sync) against a Radicale of
its own: a clear German state on the account, nothing lost, nothing twice, the next run resumes."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.davsync import services
from maklerwerk.davsync.models import DavAccount, DavItem
from tests.davsync.conftest import Book, card
from tests.davsync.test_carddav import make_contact
from tests.live.dovecot import _wait_port, free_port

pytestmark = pytest.mark.django_db


class Radicale:
    """One Radicale that can be stopped and started again on the same port and storage."""

    def __init__(self) -> None:
        self.dir, self.port = Path(tempfile.mkdtemp(prefix="crm-dav-off-")), free_port()
        (self.dir / "users").write_text("agent:secret\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(self.dir / "col"), "--auth-type", "htpasswd",
             "--auth-htpasswd-filename", str(self.dir / "users"), "--auth-htpasswd-encryption", "plain",
             "--auth-delay", "0", "--logging-level", "error"]
        )  # fmt: skip
        _wait_port(self.port, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def radicale() -> Any:
    server = Radicale()
    server.start()
    yield server
    server.stop()


def run(account: DavAccount, **kwargs: Any) -> Any:
    account.refresh_from_db()
    return services.dav_account_sync(account=account, **kwargs)


def test_a_server_offline_for_a_day_and_going_down_mid_sync_loses_nothing(
    agent: Any, radicale: Radicale
) -> None:
    """GIVEN 12 contacts marked here and 8 cards on the phone's server
    WHEN the server is offline, then goes down in the middle of the first sync
    THEN the account says so in German each time, and once it is back the next run finishes the
    job: 20 contacts, 20 cards, each once; further runs change nothing."""
    server = {"url": f"http://127.0.0.1:{radicale.port}/", "user": "agent", "password": "secret"}
    book = Book(server, "telefon")
    for i in range(8):
        book.put(f"p{i}.vcf", card(f"phone-{i}", "Handy", f"Person {i}", email=f"handy{i}@example.org"))
    contacts = [
        make_contact(
            agent, first_name="Kunde", last_name=f"Nummer {i}", emails=[{"value": f"k{i}@example.org"}]
        )
        for i in range(12)
    ]
    account = services.dav_account_create(
        user=agent, data={"kind": "carddav", "url": book.url, "username": "agent", "password": "secret"}
    )
    services.sync_flags_set(account=account, contact_ids=[c.pk for c in contacts], enabled=True)

    radicale.stop()  # offline for a day
    with pytest.raises(ApplicationError):
        run(account)
    account.refresh_from_db()
    assert account.state == DavAccount.State.ERROR
    assert account.state_message.startswith("Der Server ist nicht erreichbar")

    radicale.start()
    with pytest.raises(ApplicationError):  # goes down after the first card was read
        run(account, on_progress=lambda i, _n: radicale.stop() if i == 1 else None)
    account.refresh_from_db()
    assert account.state == DavAccount.State.ERROR and "nicht erreichbar" in account.state_message
    assert account.sync_token == ""  # the interrupted run's token is not kept: the next one compares all

    radicale.start()
    report = run(account)
    account.refresh_from_db()
    assert account.state == DavAccount.State.OK, account.state_message
    assert len(book.listing()) == 20
    assert Contact.objects.filter(office=agent.office).count() == 20
    assert DavItem.objects.filter(account=account).count() == 20
    assert report.counts.get("created_there", 0) + report.counts.get("created_here", 0) > 0
    for _ in range(2):
        again = run(account)
        assert not any(v for k, v in again.counts.items() if k != "unchanged"), again.counts
        assert again.writes == 0
