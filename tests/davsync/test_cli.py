"""`maklerwerk sync --user NAME [--dry-run]` runs every registered account syncer of the user."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.contacts.models import Contact
from maklerwerk.core.syncers import ACCOUNT_SYNCERS, AccountSyncer
from tests.davsync.conftest import Book, card

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_syncer() -> Iterator[list[tuple[str, bool]]]:
    """Another app's syncer (the mail sync registers one the same way)."""
    calls: list[tuple[str, bool]] = []

    def run(account: str, dry_run: bool) -> str:
        calls.append((account, dry_run))
        return "3 Mails archiviert"

    ACCOUNT_SYNCERS.register(
        AccountSyncer(
            "test-mail",
            lambda user: ["INBOX"],
            lambda a: f"Postfach {a}",
            run,
            order=30,
        )
    )
    yield calls
    ACCOUNT_SYNCERS.unregister("test-mail")


def test_sync_command_previews_then_syncs_every_account_of_the_user(
    agent: Any, book: Book, account: Any, mail_syncer: list[tuple[str, bool]]
) -> None:
    book.put("x.vcf", card("x-1", "Xaver", "Huber", email="xaver@example.org"))
    out, err = io.StringIO(), io.StringIO()
    call_command("sync", "--user", agent.username, "--dry-run", stdout=out, stderr=err)
    assert "Vorschau: 1 neu in Maklerwerk" in out.getvalue() and Contact.objects.count() == 0
    assert "Postfach INBOX: 3 Mails archiviert" in out.getvalue() and mail_syncer == [("INBOX", True)]
    assert "account" in err.getvalue()  # the progress bar
    call_command("sync", "--user", agent.username, stdout=out, stderr=err)
    assert "Synchronisierung beendet: 1 neu in Maklerwerk" in out.getvalue()
    assert Contact.objects.filter(last_name="Huber").count() == 1
