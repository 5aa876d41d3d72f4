# ruff: noqa: E501, S106  (tabular seed data on one line each; the throwaway install has a fixed test password)
"""Inquiry manager: 1,000 portal mails in a real Dovecot inbox, processed end to end.

One third come from known contacts (exposé at once), one third from new prospects (double
opt-in mail, then confirmation creates the contact and sends the exposé), one third from
probable duplicates of existing contacts (confirmation stops with a task). Wall time of the
processing pass is reported as a ratio to just fetching the same mails over IMAP in the same run.
Mails go to a real SMTP server (aiosmtpd) in this process. Counts must be exact.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import free_port, install, md_table

TITLE = "Inquiry manager: 1,000 portal mails from IMAP to contact and exposé (SQLite)"

DOVECOT_CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
auth_failure_delay = 0
default_login_user = dovecot
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

MAIL = """Message-ID: <bench-{i}@immobilienscout24.de>
Date: Tue, 4 Mar 2025 09:14:00 +0100
From: ImmobilienScout24 <noreply@immobilienscout24.de>
To: anfragen@testbuero.example
Subject: Kontaktanfrage zu Ihrem Angebot {scout}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Sie haben eine neue Kontaktanfrage zu Ihrem Angebot erhalten.

Scout-ID: {scout}
Ihre Objektnummer: {ref}

Anrede: {salutation}
Vorname: {first}
Nachname: {last}
E-Mail: {email}
Telefon: {phone}

Nachricht:
Guten Tag, bitte senden Sie mir das Exposé.
"""


def _start_dovecot() -> tuple[subprocess.Popen[bytes], Path, int]:
    d, port = Path(tempfile.mkdtemp(prefix="mw-bench-imap-")), free_port()
    (d / "users").write_text("bench@testbuero.example:{PLAIN}geheim\n")
    (d / "dovecot.conf").write_text(DOVECOT_CONF.format(d=d, port=port))
    subprocess.run(["chown", "-R", "dovecot:dovecot", str(d)], check=True)
    proc = subprocess.Popen(
        [
            "setpriv",
            "--reuid=dovecot",
            "--regid=dovecot",
            "--init-groups",
            "dovecot",
            "-F",
            "-c",
            str(d / "dovecot.conf"),
        ]
    )
    import socket

    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, d, port


def _people(n: int) -> list[dict[str, str]]:
    from faker.providers.person.de_DE import Provider

    last = sorted(set(Provider.last_names))
    first = sorted(set(Provider.first_names_female))
    out = []
    for i in range(n):
        surname = last[i % len(last)] + ("" if i < len(last) else "-" + last[(i * 7 + 3) % len(last)])
        out.append(
            {
                "first": first[(i * 13) % len(first)],
                "last": surname,
                "street": f"Bankstraße {i + 1}",
                "postal_code": f"{50000 + i:05d}",
                "city": "Köln",
                "phone": f"0221 {3000000 + i * 17}",
            }
        )
    return out


def run(args: argparse.Namespace) -> str:
    n = 99 if args.quick else 999
    third = n // 3
    with install("sqlite") as inst:
        os.environ.update(inst.env)
        import django

        django.setup()
        return _run(third)


def _run(third: int) -> str:
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from maklerwerk.accounts.models import Office
    from maklerwerk.accounts.services import user_create
    from maklerwerk.contacts.models import Contact
    from maklerwerk.contacts.services import contact_create
    from maklerwerk.inquiries.handler import imap_settings, mailbox_fetch
    from maklerwerk.inquiries.models import Inquiry
    from maklerwerk.inquiries.services import inquiry_confirm, mailbox_create
    from maklerwerk.integrations.imap.client import ImapClient
    from maklerwerk.properties.models import Property

    class Sink:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.messages.append(envelope.content)
            return "250 OK"

    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp.port, "use_tls": False, "timeout": 10},
        }
    }
    dovecot, ddir, port = _start_dovecot()
    try:
        office = Office.objects.create(name="Benchbüro", city="Köln")
        agent = user_create(office=office, username="makler", password="Geheim-Passwort-1", role="agent")
        refs = ["MW-1", "MW-2", "MW-3"]
        for ref in refs:
            Property.objects.create(
                office=office,
                external_id=ref,
                title=f"Wohnung {ref}",
                status="active",
                responsible_agent=agent,
            )
        people = _people(3 * third)
        known, new, dups = people[:third], people[third : 2 * third], people[2 * third :]
        t0 = time.monotonic()
        for i, p in enumerate(known):
            contact_create(
                office=office, acting_user=None,
                data={"first_name": p["first"], "last_name": p["last"], "emails": [{"value": f"bekannt-{i}@example.org"}]},
            )  # fmt: skip
        for i, p in enumerate(dups):
            contact_create(
                office=office, acting_user=None,
                data={"first_name": p["first"], "last_name": p["last"], "street": "Bankstraße",
                      "house_number": p["street"].split()[-1], "postal_code": p["postal_code"], "city": p["city"],
                      "phones": [{"value": p["phone"]}], "emails": [{"value": f"alt-{i}@example.org"}]},
            )  # fmt: skip
        seed_seconds = time.monotonic() - t0
        contacts_before = Contact.objects.filter(office=office).count()
        mails: list[bytes] = []
        emails: dict[str, dict[str, str]] = {}
        for group, rows in (("bekannt", known), ("neu", new), ("dublette", dups)):
            for i, p in enumerate(rows):
                addr = f"{group}-{i}@example.org"
                emails[addr] = p
                mails.append(
                    MAIL.format(
                        i=f"{group}-{i}", scout=150000000 + len(mails), ref=refs[len(mails) % 3], salutation="Frau",
                        first=p["first"], last=p["last"], email=addr, phone=p["phone"],
                    ).encode()
                )  # fmt: skip
        mailbox = mailbox_create(
            office=office, acting_user=agent,
            data={"name": "Bench", "host": "127.0.0.1", "port": port, "security": "none",
                  "username": "bench@testbuero.example", "password": "geheim"},
        )  # fmt: skip
        with ImapClient(imap_settings(mailbox)) as imap:
            for raw in mails:
                imap.append(raw)
        # 1. Only fetch (what any client needs at least).
        t0 = time.monotonic()
        with ImapClient(imap_settings(mailbox)) as imap:
            fetched = sum(1 for _ in imap.fetch(imap.unprocessed_uids()))
        fetch_seconds = time.monotonic() - t0
        # 2. The real pass: fetch, parse, intake, automation, mails, server-side flag.
        t0 = time.monotonic()
        result = mailbox_fetch(mailbox)
        process_seconds = time.monotonic() - t0
        # 3. The prospects confirm (the link from their double-opt-in mail).
        links = []
        for content in list(sink.messages):
            msg = email.message_from_bytes(content, policy=email.policy.default)
            text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            m = re.search(r"/inquiries/confirm/([A-Za-z0-9_\-]+)/", text)
            if m:
                links.append((m.group(1), msg["To"].addresses[0].addr_spec))
        t0 = time.monotonic()
        for token, to in links:
            p = emails[to]
            inquiry_confirm(
                token=token,
                data={"first_name": p["first"], "last_name": p["last"], "street": "Bankstraße",
                      "house_number": p["street"].split()[-1], "postal_code": p["postal_code"], "city": p["city"],
                      "phone": p["phone"]},
            )  # fmt: skip
        confirm_seconds = time.monotonic() - t0
        # A second pass and a second confirmation attempt must change nothing.
        again = mailbox_fetch(mailbox)
        contacts_created = Contact.objects.filter(office=office).count() - contacts_before
        duplicates = Inquiry.objects.filter(
            office=office, status="aborted", duplicate_of__isnull=False
        ).count()
        completed = Inquiry.objects.filter(office=office, status="completed").count()
        mails_sent = len(sink.messages)
        confirmations = sum(
            1
            for c in sink.messages
            if "Bitte bestätigen" in str(email.message_from_bytes(c, policy=email.policy.default)["Subject"])
        )
        exposes = mails_sent - confirmations
    finally:
        smtp.stop()
        if dovecot.poll() is None:
            dovecot.send_signal(signal.SIGTERM)
            dovecot.wait(10)
        shutil.rmtree(ddir, ignore_errors=True)
    total = 3 * third
    rows = [
        ["mails fetched / taken in", f"{total} / {total}", f"{fetched} / {result.taken_in}"],
        ["second pass: taken in", "0", str(again.taken_in)],
        ["contacts created", str(third), str(contacts_created)],
        ["duplicates caught (aborted + task)", str(third), str(duplicates)],
        ["inquiries completed (exposé sent)", str(2 * third), str(completed)],
        ["double-opt-in mails sent", str(2 * third), str(confirmations)],
        ["exposé mails sent", str(2 * third), str(exposes)],
        ["mails sent in total", str(4 * third), str(mails_sent)],
    ]
    exact = all(r[1] == r[2] for r in rows)
    timing = [
        ["fetch only (IMAP UID FETCH BODY.PEEK[], batches of 50)", f"{fetch_seconds:.2f}", "1.0"],
        ["processing pass (fetch, parse, intake, automation, SMTP, flag)", f"{process_seconds:.2f}",
         f"{process_seconds / fetch_seconds:.1f}"],
        ["confirmations (contact + duplicate check + exposé)", f"{confirm_seconds:.2f}",
         f"{confirm_seconds / fetch_seconds:.1f}"],
    ]  # fmt: skip
    print("expected vs actual:", *(f"{r[0]}: {r[1]} / {r[2]}" for r in rows), sep="\n  ")
    return "\n".join(
        [
            f"{total} ImmobilienScout24 mails in a real Dovecot 2.3 inbox on loopback; SQLite; mails to a real "
            f"SMTP server (aiosmtpd). Seeding {2 * third} existing contacts took {seed_seconds:.1f} s (not counted).",
            "",
            md_table(["step", "seconds", "ratio to fetch only"], timing),
            "",
            md_table(["count", "expected", "actual"], rows),
            "",
            "All counts exact." if exact else "**Counts differ from the expected values.**",
        ]
    )
