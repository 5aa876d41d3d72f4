"""Intake in batches against the real Dovecot: a broken mail, a crash inside the batch, a lost flag."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.core.models import Job
from maklerwerk.inquiries import intake
from maklerwerk.inquiries.handler import mailbox_fetch
from maklerwerk.inquiries.models import Inquiry, Mailbox, ProcessedMail
from maklerwerk.inquiries.parsers import claim_key
from maklerwerk.integrations.imap.client import ImapClient, ImapError
from tests.inquiries.conftest import deliver, fixture_mail, imap_settings_for

pytestmark = pytest.mark.django_db

GOOD = ("immoscout24_kontaktanfrage.eml", "immowelt_html_only.eml", "kleinanzeigen_anfrage.eml")
BROKEN = b"\xc3( kaputt \xff\xfe ohne Kopfzeilen\r\n=?x-unbekannt?Q?=FF?= <<< >>>\r\n"


def _unflagged(account: dict[str, Any]) -> int:
    with ImapClient(imap_settings_for(account)) as imap:
        return len(imap.unprocessed_uids())


def test_a_broken_mail_in_a_batch_is_kept_with_a_reason_and_the_others_are_automated(
    mailbox: Mailbox, properties: dict[str, Any], smtp_sink: Any, imap_account: dict[str, Any]
) -> None:
    """GIVEN three portal mails and one that is no mail at all WHEN one pass runs
    THEN all four are taken in in one batch, the three are read and automated, and the broken one
    is kept as "nicht erkannt" with a German reason; the whole inbox is flagged."""
    deliver(imap_account, *(fixture_mail(n) for n in GOOD[:2]), BROKEN, fixture_mail(GOOD[2]))
    result = mailbox_fetch(mailbox)
    assert (result.fetched, result.taken_in, result.failed, result.error) == (4, 4, 0, "")
    broken = Inquiry.objects.get(raw=BROKEN)
    assert broken.status == "unrecognized"
    assert broken.reason.startswith("Nicht erkannt")
    assert broken.steps.get(kind="received").ok is False
    others = Inquiry.objects.exclude(pk=broken.pk)
    assert sorted(others.values_list("source", flat=True)) == ["immoscout24", "immowelt", "kleinanzeigen"]
    assert not others.filter(status__in=["received", "unrecognized"]).exists()
    assert _unflagged(imap_account) == 0


def test_a_mail_that_breaks_its_batch_loses_only_itself(
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: dict[str, Any],
    monkeypatch: Any,
) -> None:
    """GIVEN a mail whose intake fails (a bug) in a batch of three WHEN the pass runs THEN the batch
    is taken in mail by mail: the two others are stored and flagged, the failing one is neither
    and is taken in, once, by the next pass."""
    raws = [fixture_mail(n) for n in GOOD]
    deliver(imap_account, *raws)
    received, ids = intake._received, sorted(claim_key(raw)[0] for raw in raws)

    def fail_on_second(mailbox: Mailbox, key: Any, raw: bytes) -> Any:
        if key[0] == claim_key(raws[1])[0]:
            raise RuntimeError("bug")
        return received(mailbox, key, raw)

    monkeypatch.setattr(intake, "_received", fail_on_second)
    result = mailbox_fetch(mailbox, automate=False)
    assert (result.fetched, result.taken_in, result.failed) == (3, 2, 1)
    assert Inquiry.objects.count() == 2 and _unflagged(imap_account) == 1
    monkeypatch.setattr(intake, "_received", received)
    again = mailbox_fetch(mailbox, automate=False)
    assert (again.fetched, again.taken_in, again.already_known) == (1, 1, 0)
    assert sorted(Inquiry.objects.values_list("message_id", flat=True)) == ids


def test_a_crash_between_claim_and_commit_and_a_lost_flag_create_nothing_twice(
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: dict[str, Any],
    monkeypatch: Any,
) -> None:
    """GIVEN a worker that dies after the claims were inserted, before the commit WHEN the next pass
    runs THEN nothing of the first was kept and each mail is taken in once; GIVEN the flags are then
    lost on the server WHEN a pass runs THEN the mails are known, nothing is added, and they are flagged."""
    deliver(imap_account, *(fixture_mail(n) for n in GOOD))
    claims_insert = intake._claims_insert
    calls: list[int] = []

    def die_after_claiming(*args: Any) -> Any:
        calls.append(len(claims_insert(*args)))  # the claims are in: die now
        raise SystemError("worker killed")

    monkeypatch.setattr(intake, "_claims_insert", die_after_claiming)
    crashed = mailbox_fetch(mailbox, automate=False)
    assert (crashed.taken_in, crashed.failed) == (0, 3) and calls == [3, 1, 1, 1]
    assert not Inquiry.objects.exists() and not ProcessedMail.objects.exists()
    assert _unflagged(imap_account) == 3
    monkeypatch.setattr(intake, "_claims_insert", claims_insert)
    result = mailbox_fetch(mailbox)
    assert (result.taken_in, result.already_known) == (3, 0)
    assert Inquiry.objects.count() == ProcessedMail.objects.count() == 3
    sent = len(smtp_sink.messages)
    with ImapClient(imap_settings_for(imap_account)) as imap:  # the server forgets the flags
        imap.box.client.uid("STORE", "1:*", "-FLAGS.SILENT", "(MaklerwerkDone)")  # type: ignore[union-attr]  # logged in
    assert _unflagged(imap_account) == 3
    again = mailbox_fetch(mailbox)
    assert (again.fetched, again.taken_in, again.already_known) == (3, 0, 3)
    assert Inquiry.objects.count() == 3 and len(smtp_sink.messages) == sent
    assert _unflagged(imap_account) == 0


def test_a_flag_that_fails_is_an_error_on_the_mailbox_and_the_next_pass_adds_nothing(
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: dict[str, Any],
    monkeypatch: Any,
) -> None:
    deliver(imap_account, fixture_mail(GOOD[0]))

    def refuse(self: ImapClient, uids: list[int]) -> None:
        raise ImapError("IMAP-Befehl STORE fehlgeschlagen: NO", permanent=False)

    with monkeypatch.context() as m:
        m.setattr(ImapClient, "mark_processed", refuse)
        first = mailbox_fetch(mailbox)
    assert first.taken_in == 1 and first.error.startswith("IMAP-Befehl STORE")
    mailbox.refresh_from_db()
    assert mailbox.last_status == "error"
    second = mailbox_fetch(mailbox)
    assert (second.taken_in, second.already_known, second.error) == (0, 1, "")
    assert Inquiry.objects.count() == 1


def test_a_crash_between_the_commit_and_the_flags_takes_nothing_in_twice(
    mailbox: Mailbox,
    properties: dict[str, Any],
    smtp_sink: Any,
    imap_account: dict[str, Any],
    monkeypatch: Any,
) -> None:
    """GIVEN a worker that dies after the batch was committed, before the server flagged the mails
    WHEN the next pass runs THEN it finds all of them known: no inquiry, job or mail twice, and
    now they are flagged."""
    deliver(imap_account, *(fixture_mail(n) for n in GOOD))

    def die(self: ImapClient, uids: list[int]) -> None:
        raise SystemError("worker killed")

    with monkeypatch.context() as m:
        m.setattr(ImapClient, "mark_processed", die)
        crashed = mailbox_fetch(mailbox)
    assert crashed.taken_in == 3 and crashed.error.startswith("Unerwarteter Fehler beim Abruf")
    assert _unflagged(imap_account) == 3
    sent, jobs = len(smtp_sink.messages), Job.objects.count()
    again = mailbox_fetch(mailbox)
    assert (again.fetched, again.taken_in, again.already_known, again.error) == (3, 0, 3, "")
    assert Inquiry.objects.count() == ProcessedMail.objects.count() == 3
    assert (len(smtp_sink.messages), Job.objects.count()) == (sent, jobs)
    assert _unflagged(imap_account) == 0


def test_a_pass_over_many_batches_moves_every_mail_once(
    mailbox: Mailbox, properties: dict[str, Any], imap_account: dict[str, Any]
) -> None:
    """GIVEN seven mails and a mailbox that moves what it took in WHEN a pass runs in batches of two
    THEN each mail is taken in once and moved; the inbox is empty and the next pass finds nothing."""
    raws = [
        fixture_mail(GOOD[i % 3]).replace(b"Message-ID: <", f"Message-ID: <{i}-".encode()) for i in range(7)
    ]
    deliver(imap_account, *raws)
    mailbox.action, mailbox.move_to = Mailbox.Action.MOVE, "Anfragen/Erledigt"
    mailbox.save(update_fields=["action", "move_to"])
    result = mailbox_fetch(mailbox, automate=False, batch=2)
    assert (result.fetched, result.taken_in, result.failed, result.error) == (7, 7, 0, "")
    assert sorted(Inquiry.objects.values_list("message_id", flat=True)) == sorted(
        claim_key(raw)[0] for raw in raws
    )
    assert _unflagged(imap_account) == 0
    with ImapClient(imap_settings_for(imap_account, folder="Anfragen/Erledigt")) as moved:
        assert len(moved.box.uids("ALL")) == 7  # type: ignore[union-attr]  # logged in
    assert mailbox_fetch(mailbox, automate=False, batch=2).fetched == 0


def test_a_connection_lost_after_a_batch_keeps_that_batch_and_the_next_pass_takes_the_rest(
    mailbox: Mailbox, properties: dict[str, Any], imap_account: dict[str, Any], monkeypatch: Any
) -> None:
    """GIVEN five mails WHEN the server connection drops while the second batch of two is fetched
    THEN the first batch is kept, the mailbox shows the German reason, and the next pass takes the
    other three in, once each."""
    raws = [
        fixture_mail(GOOD[i % 3]).replace(b"Message-ID: <", f"Message-ID: <{i}-".encode()) for i in range(5)
    ]
    deliver(imap_account, *raws)
    fetch, calls = ImapClient.fetch, []

    def drop_on_second(self: ImapClient, uids: list[int], batch: int = 50) -> Any:
        calls.append(uids)
        if len(calls) == 2:
            raise ImapError("Verbindung zum Server während FETCH abgebrochen (EOF).", permanent=False)
        return fetch(self, uids, batch)

    with monkeypatch.context() as m:
        m.setattr(ImapClient, "fetch", drop_on_second)
        first = mailbox_fetch(mailbox, automate=False, batch=2)
    assert (first.fetched, first.taken_in) == (2, 2)
    mailbox.refresh_from_db()
    assert (mailbox.last_status, mailbox.last_error) == (
        "error",
        "Verbindung zum Server während FETCH abgebrochen (EOF).",
    )
    assert _unflagged(imap_account) == 3
    second = mailbox_fetch(mailbox, automate=False, batch=2)
    assert (second.fetched, second.taken_in, second.error) == (3, 3, "")
    assert Inquiry.objects.count() == ProcessedMail.objects.count() == 5
    assert _unflagged(imap_account) == 0


def test_a_mail_too_big_to_keep_is_read_at_intake_and_left_in_the_mailbox(
    mailbox: Mailbox, properties: dict[str, Any], imap_account: dict[str, Any], monkeypatch: Any
) -> None:
    """GIVEN a portal mail above the size that is kept, between two that are kept WHEN a pass takes
    them in THEN the big one is read at once (not stored, with a German note and its step), the
    others wait unread for their jobs."""
    big = fixture_mail(GOOD[0])
    deliver(imap_account, fixture_mail(GOOD[1]), big, fixture_mail(GOOD[2]))
    monkeypatch.setattr(intake, "MAX_RAW_BYTES", len(big) - 1)
    result = mailbox_fetch(mailbox, automate=False)
    assert (result.taken_in, result.failed) == (3, 0)
    read = Inquiry.objects.get(message_id=claim_key(big)[0])
    assert (read.status, read.source, bytes(read.raw)) == ("new", "immoscout24", b"")
    assert read.problems[0].endswith("ist zu groß zum Speichern; sie bleibt im Postfach.")
    assert read.first_name and read.mailbox_id == mailbox.pk and read.assigned_to_id == mailbox.main_user_id
    assert list(read.steps.values_list("kind", flat=True)) == ["received"]
    waiting = Inquiry.objects.exclude(pk=read.pk)
    assert list(waiting.values_list("status", flat=True)) == ["received", "received"]
    assert all(len(bytes(i.raw)) > 0 for i in waiting)
