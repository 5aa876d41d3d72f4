# ruff: noqa: S106, E501  (the throwaway install and Dovecot have fixed test passwords; table rows)
"""Mail archive: 10,000 mails in a real Dovecot mailbox, archived as activities, against the bare fetch.

Baseline: the bare IMAP fetch of the same mails (UID SEARCH + FETCH BODY.PEEK[] of every message,
over one session, nothing parsed), i.e. the floor any archive pays. Then the archive's first run
(headers, bodies, parsing, sanitising, contact look-up, one claim + activity per mail), a re-run with
nothing new (must archive 0), and the same 1,000 mails in three colleagues' mailboxes (INBOX and
Sent): they must stay one activity each. 90 % of the mails involve one of 1,000 known contacts, 10 %
are private (not archived).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench.common import install, md_table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live.dovecot import dovecot_server

TITLE = "Mail archive: 10,000 mails from IMAP to activities; the same mail in three mailboxes (SQLite)"
USERS = ["makler-a@buero.example", "makler-b@buero.example", "makler-c@buero.example"]
CONTACTS = 1000


def _mail(i: int) -> bytes:
    msg = EmailMessage()
    private = i % 10 == 9
    sender = f"freund{i}@privat.example" if private else f"kunde{i % CONTACTS}@example.org"
    msg["From"], msg["To"] = f"Absender {i} <{sender}>", USERS[0]
    msg["Subject"] = f"Frage zur Wohnung Nr. {i}"
    msg["Date"] = format_datetime(dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i))
    msg["Message-ID"] = f"<bench-{i}@example.org>"
    msg.set_content(f"Guten Tag,\n\nich interessiere mich für die Wohnung {i}.\n\nViele Grüße\n" * 3)
    msg.add_alternative(
        f"<p>Guten Tag, <b>Wohnung {i}</b></p><img src='https://t.example/{i}.gif'>", subtype="html"
    )
    return msg.as_bytes()


def _fill(account: dict[str, Any], raws: list[bytes], folder: str = "INBOX") -> None:
    from maklerwerk.integrations.imap.client import ImapClient, ImapSettings

    settings = ImapSettings(account["host"], account["port"], "none", account["username"], "geheim")
    with ImapClient(settings) as imap:
        imap.create_folder(folder)
        for raw in raws:
            imap.append(raw, folder)


def _bare_fetch(account: dict[str, Any]) -> tuple[float, float, int]:
    from maklerwerk.integrations.imap.client import ImapClient, ImapSettings

    settings = ImapSettings(account["host"], account["port"], "none", account["username"], "geheim")
    started, cpu = time.perf_counter(), time.process_time()
    with ImapClient(settings) as imap:
        n = sum(1 for _ in imap.fetch(imap.uids_after(0), batch=50))
    return time.perf_counter() - started, time.process_time() - cpu, n


def _timed(fn: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process: user + sys, Dovecot not included)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - started, time.process_time() - cpu


def _setup(office_name: str) -> list[Any]:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact, ContactEmail

    office = Office.objects.create(name=office_name)
    users = [User.objects.create_user(f"u{i}", password="x", office=office, role="agent") for i in range(3)]
    contacts = Contact.objects.bulk_create(
        [Contact(office=office, last_name=f"Kunde {i}") for i in range(CONTACTS)]
    )
    ContactEmail.objects.bulk_create(
        [
            ContactEmail(
                contact=c,
                office=office,
                value=f"kunde{i}@example.org",
                value_normalized=f"kunde{i}@example.org",
            )
            for i, c in enumerate(contacts)
        ]
    )
    return users


def _run(n: int, imap: Any) -> str:
    from django.urls import reverse

    from maklerwerk.core.models import Activity
    from maklerwerk.mailsync.models import ArchivedMail
    from maklerwerk.mailsync.services import mail_account_create
    from maklerwerk.mailsync.sync import account_sync

    boxes = [imap.account(u, "geheim") for u in USERS]
    raws = [_mail(i) for i in range(n)]
    _fill(boxes[0], raws)
    _fill(boxes[0], [], "Sent")
    users = _setup("Bench-Büro")
    accounts = [
        mail_account_create(
            user=user, data={**box, "email": box["username"], "security": "none", "sent_folder": "Sent"}
        )
        for user, box in zip(users, boxes, strict=True)
    ]
    reverse("mailsync:mail", args=[1])  # the URL map is loaded once per worker, not per mail
    load_before = os.getloadavg()[0]
    bare, bare_cpu, fetched = _bare_fetch(boxes[0])
    first, archive, archive_cpu = _timed(lambda: account_sync(accounts[0]))
    second, rerun, rerun_cpu = _timed(lambda: account_sync(accounts[0]))
    assert first.error == "" and second.archived == 0, (first.as_dict(), second.as_dict())
    activities = Activity.objects.count()
    shared = raws[:1000]
    for box in boxes[1:]:
        _fill(box, shared)
        _fill(box, shared, "Sent")
    others, three, three_cpu = _timed(lambda: [account_sync(a) for a in accounts[1:]])
    assert all(r.archived == 0 for r in others) and Activity.objects.count() == activities
    load_after = os.getloadavg()[0]
    archived = ArchivedMail.objects.filter(state="archived").count()
    per = lambda seconds, count: f"{seconds * 1000 / max(count, 1):.2f} ms"  # noqa: E731
    seen_others = sum(r.seen for r in others)
    rows = [
        [
            "bare IMAP fetch (baseline)",
            fetched,
            f"{bare:.1f} s",
            per(bare, fetched),
            per(bare_cpu, fetched),
            "1.0×",
        ],
        [
            "archive, first run",
            first.seen,
            f"{archive:.1f} s",
            per(archive, first.seen),
            per(archive_cpu, first.seen),
            f"{archive_cpu / bare_cpu:.1f}×",
        ],
        [
            "archive, re-run (nothing new)",
            second.seen,
            f"{rerun:.2f} s",
            "–",  # nothing new: no per-mail figure
            "–",
            f"{rerun_cpu / bare_cpu:.2f}×",
        ],
        [
            "2 more mailboxes × (INBOX + Sent), same 1,000 mails",
            seen_others,
            f"{three:.1f} s",
            per(three, seen_others),
            per(three_cpu, seen_others),
            "–",
        ],
    ]
    return "\n".join(
        [
            f"{n:,} mails (90 % with one of {CONTACTS:,} known contacts), one Dovecot 2.3 on loopback, SQLite.",
            f"Command: `.venv/bin/python -m bench mailsync`. Load average {load_before:.1f} before and "
            f"{load_after:.1f} after the run on {os.cpu_count()} cores (the machine is shared by other "
            "engineers' test runs: wall times are noisy). CPU is user + sys of the archiving process "
            "(Dovecot's own CPU not included); the ratio compares CPU with the bare fetch's CPU.",
            "Mails are read and archived in batches of 50 (one transaction, a few queries per batch).",
            "",
            md_table(["step", "mails", "wall", "wall per mail", "CPU per mail", "CPU vs. bare fetch"], rows),
            "",
            f"Result: {archived:,} activities for {first.archived:,} archived mails, {first.skipped:,} private "
            f"mails not archived; the re-run archived {second.archived}; the same 1,000 mails found "
            f"{sum(r.seen for r in others):,} more times in three mailboxes created "
            f"{Activity.objects.count() - activities} further activities.",
        ]
    )


def run(args: argparse.Namespace) -> str:
    n = 1000 if args.quick else 10_000
    with install("sqlite") as inst, dovecot_server(dict.fromkeys(USERS, "geheim")) as imap:
        os.environ.update(inst.env)
        import django

        django.setup()
        return _run(n, imap)
