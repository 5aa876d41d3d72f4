# ruff: noqa: E501, S106  (tabular seed data on one line each; the throwaway install has a fixed test password)
"""Inquiry pipeline: 1,000 portal mails in a real Dovecot inbox, in stages, with real workers.

One third come from known contacts (exposé at once), one third from new prospects (double
opt-in mail, then confirmation creates the contact and sends the exposé), one third from
probable duplicates of existing contacts (confirmation stops with a task). The properties have
12 photos each, so the exposé PDF costs what it costs in practice.

Stages: bare IMAP fetch (the floor) → intake (per batch of 50: claims + unread Inquiry rows in one
transaction, flag; session closed) → one job per inquiry (read the mail, then automate), run by a
real Huey consumer: half of the inquiries with one worker process, the other half with two (same
mix), so the throughput ratio compares like with like → the prospects confirm. Mails go to a real SMTP
server (aiosmtpd) in processes of its own that serialize no worker (bench/smtp_spool.py); the
benchmark counts what they spooled. Counts must be exact.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import free_port, install, md_table
from bench.smtp_spool import smtp_spool, spooled

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live.dovecot import dovecot_server

TITLE = "Inquiry pipeline: 1,000 portal mails from IMAP to contact and exposé, in stages (SQLite)"
PHOTOS = 12
PHOTO_SIZE = (2000, 1500)
SMTP_PROCESSES = 4  # aiosmtpd server processes on the one port (two per worker at most)

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


def _photo(seed: int) -> bytes:
    # Noise over a gradient: compresses like a real photo, not like a flat colour.
    from PIL import Image

    rnd = random.Random(seed)
    base = Image.linear_gradient("L").resize(PHOTO_SIZE).convert("RGB")
    noise = Image.effect_noise(PHOTO_SIZE, 60).convert("RGB")
    tint = Image.new("RGB", PHOTO_SIZE, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    Image.blend(Image.blend(base, noise, 0.5), tint, 0.35).save(out, "JPEG", quality=88)
    return out.getvalue()


def run(args: argparse.Namespace) -> str:
    n = 99 if args.quick else 999
    with (
        install("sqlite") as inst,
        dovecot_server({"bench@testbuero.example": "geheim", "gross@testbuero.example": "geheim"}) as imap,
    ):
        # One port for every stage; each stage starts its own server processes on it (smtp_spool).
        port = free_port()
        inst.env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        os.environ.update(inst.env)
        import django

        django.setup()
        return _run(n // 3, inst, imap, port)


def _consumer(inst, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "maklerwerk", "run_huey", "--workers", str(workers), "--worker-type", "process",
         "--no-periodic", "--delay", "0.05", "--max-delay", "0.2", "-v", "0"],
        env=inst.env, stdout=subprocess.DEVNULL, stderr=open(inst.data_dir / f"huey-{workers}.log", "wb"),
    )  # fmt: skip


def _work(inst, workers: int, office_id: int, ids: list[int], port: int) -> dict[str, Any]:
    """Enqueue one automation job per inquiry, let `workers` processes run them; timings from the
    jobs, the mails from the SMTP server's spool, its CPU time apart."""
    from django.db.models import Max, Min

    from maklerwerk.core.models import Job
    from maklerwerk.inquiries.automation import automation_start

    jobs = [j.pk for j in automation_start(office_id, ids)]
    spool = inst.data_dir / "smtp" / f"{workers}-workers"
    load = os.getloadavg()[0]
    with smtp_spool(spool, processes=SMTP_PROCESSES, port=port) as server:
        machine = _cpu_ticks()
        proc = _consumer(inst, workers)
        try:
            rows = Job.objects.filter(pk__in=jobs)
            while rows.filter(state__in=["queued", "running"]).exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"huey consumer exited: {proc.returncode}")
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        load = max(load, os.getloadavg()[0])
        machine = [b - a for a, b in zip(machine, _cpu_ticks(), strict=True)]
    span = rows.aggregate(start=Min("started_at"), end=Max("finished_at"))
    seconds = (span["end"] - span["start"]).total_seconds()
    by_status: dict[str, list[float]] = {}
    cpu_by_status: dict[str, list[float]] = {}
    for job in rows:
        status = job.result.get("status", job.state)
        by_status.setdefault(status, []).append(
            (job.finished_at - job.started_at).total_seconds()  # type: ignore[operator]  # finished jobs
        )
        cpu_by_status.setdefault(status, []).append(job.result.get("cpu_ms", 0.0))
    return {
        "seconds": seconds,
        "per_mail_ms": seconds * 1000 / len(ids),
        "failed": float(rows.filter(state="failed").count()),
        "server_cpu": server.cpu_seconds,
        "load": load,
        "machine_busy": 1 - machine[1] / max(1, machine[0]),
        "mails": spooled(spool),
        "cpu_per_mail_ms": sum(sum(v) for v in cpu_by_status.values()) / len(ids),
        **{f"mean_ms:{k}": sum(v) * 1000 / len(v) for k, v in by_status.items()},
        **{f"cpu_ms:{k}": sum(v) / len(v) for k, v in cpu_by_status.items()},
    }


def _cpu_ticks() -> list[int]:
    """(all, idle) CPU ticks of the whole machine since boot, from /proc/stat (idle includes
    waiting for the disk): how busy the cores were, whoever used them."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return [sum(ticks), ticks[3] + ticks[4]]


def _has_pdf(raw: bytes) -> bool:
    return b"application/pdf" in raw


def _mail_mb(mails: list[tuple[bytes, float]], pdf: bool) -> float:
    sizes = [len(m) for m, _s in mails if _has_pdf(m) == pdf]
    return sum(sizes) / max(1, len(sizes)) / 1e6


def _data_ms(mails: list[tuple[bytes, float]], pdf: bool) -> float:
    """Mean milliseconds the SMTP server took to read a mail (reply to RCPT → end of DATA)."""
    seconds = [s for m, s in mails if _has_pdf(m) == pdf]
    return 1000 * sum(seconds) / max(1, len(seconds))


def _timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    t0, c0 = time.monotonic(), time.process_time()
    out = fn()
    return time.monotonic() - t0, time.process_time() - c0, out


def _intake_at_scale(imap, office, agent, n: int = 999, repeat: int = 3) -> dict[str, float]:
    """Stages 1–2 alone at full size (cheap, so also in --quick): bare fetch vs intake, the best of
    `repeat` rounds each (taking turns; between rounds the flags and rows are removed again)."""
    from maklerwerk.inquiries.handler import imap_settings, mailbox_fetch
    from maklerwerk.inquiries.models import Inquiry, ProcessedMail
    from maklerwerk.inquiries.services import mailbox_create
    from maklerwerk.integrations.imap.client import ImapClient

    mailbox = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Groß", "security": "none", **imap.account("gross@testbuero.example", "geheim")},
    )  # fmt: skip
    people = _people(n)
    with ImapClient(imap_settings(mailbox)) as client:
        for i, p in enumerate(people):
            client.append(
                MAIL.format(
                    i=f"gross-{i}", scout=160000000 + i, ref="MW-1", salutation="Herr", first=p["first"],
                    last=p["last"], email=f"gross-{i}@example.org", phone=p["phone"],
                ).encode()
            )  # fmt: skip

    def bare() -> int:
        with ImapClient(imap_settings(mailbox)) as client:
            return sum(1 for _ in client.fetch(client.unprocessed_uids()))

    rounds: dict[str, list[tuple[float, float]]] = {"bare": [], "intake": []}
    out: dict[str, float] = {}
    for r in range(repeat):
        wall, cpu, fetched = _timed(bare)
        rounds["bare"].append((wall, cpu))
        wall, cpu, result = _timed(lambda: mailbox_fetch(mailbox, automate=False))
        rounds["intake"].append((wall, cpu))
        out["fetched"], out["taken_in"] = float(fetched), float(result.taken_in)  # type: ignore[arg-type, attr-defined]  # int, FetchResult
        if r < repeat - 1:  # take the same mails in again
            ProcessedMail.objects.filter(mailbox=mailbox).delete()
            Inquiry.objects.filter(mailbox=mailbox).delete()
            with ImapClient(imap_settings(mailbox)) as client:
                client.box.client.uid("STORE", "1:*", "-FLAGS.SILENT", "(MaklerwerkDone)")  # type: ignore[union-attr]  # logged in
    for stage, values in rounds.items():
        out[f"{stage}_wall"] = min(w for w, _ in values)
        out[f"{stage}_cpu"] = min(c for _, c in values)
    return out


def _run(third: int, inst, imap, port: int) -> str:
    from django.core.files.base import ContentFile

    from maklerwerk.accounts.models import Office
    from maklerwerk.accounts.services import user_create
    from maklerwerk.contacts.models import Contact
    from maklerwerk.contacts.services import contact_create
    from maklerwerk.inquiries.handler import imap_settings, mailbox_fetch
    from maklerwerk.inquiries.models import Inquiry
    from maklerwerk.inquiries.services import inquiry_confirm, mailbox_create
    from maklerwerk.integrations.imap.client import ImapClient
    from maklerwerk.properties.models import Property, PropertyImage

    office = Office.objects.create(name="Benchbüro", city="Köln")
    agent = user_create(office=office, username="makler", password="Geheim-Passwort-1", role="agent")
    refs = ["MW-1", "MW-2", "MW-3"]
    t0 = time.monotonic()
    photos = [_photo(i) for i in range(PHOTOS)]
    for ref in refs:
        prop = Property.objects.create(
            office=office, external_id=ref, title=f"Wohnung {ref}", status="active", responsible_agent=agent,
            marketing_type="kauf", postal_code="50667", city="Köln", description="Helle Wohnung. " * 60,
        )  # fmt: skip
        for i, data in enumerate(photos):
            img = PropertyImage(property=prop, position=i, caption=f"Ansicht {i + 1}", kind="bild")
            img.file.save(f"{ref}-{i}.jpg", ContentFile(data), save=False)
            img.width, img.height = PHOTO_SIZE
            img.save()
    people = _people(3 * third)
    known, new, dups = people[:third], people[third : 2 * third], people[2 * third :]
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
    for group, people in (("bekannt", known), ("neu", new), ("dublette", dups)):
        for i, p in enumerate(people):
            addr = f"{group}-{i}@example.org"
            emails[addr] = p
            mails.append(
                MAIL.format(
                    i=f"{group}-{i}", scout=150000000 + len(mails), ref=refs[len(mails) % 3], salutation="Frau",
                    first=p["first"], last=p["last"], email=addr, phone=p["phone"],
                ).encode()
            )  # fmt: skip
    account = imap.account("bench@testbuero.example", "geheim")
    mailbox = mailbox_create(
        office=office, acting_user=agent,
        data={"name": "Bench", "security": "none", **account},
    )  # fmt: skip
    with ImapClient(imap_settings(mailbox)) as client:
        for raw in mails:
            client.append(raw)
    load_before = os.getloadavg()
    big = _intake_at_scale(imap, office, agent)
    # 1. Only fetch (what any client needs at least).
    t0 = time.monotonic()
    with ImapClient(imap_settings(mailbox)) as client:
        fetched = sum(1 for _ in client.fetch(client.unprocessed_uids()))
    fetch_seconds = time.monotonic() - t0
    # 2. Intake: fetch, claims + unread Inquiry rows per batch, flag on the server; the session closes.
    t0 = time.monotonic()
    result = mailbox_fetch(mailbox, automate=False)
    intake_seconds = time.monotonic() - t0
    # 3. Automation, one job per inquiry: every other inquiry with 1 worker, the rest with 2.
    ids = list(Inquiry.objects.filter(mailbox=mailbox).order_by("pk").values_list("pk", flat=True))
    # Each property's exposé is rendered once, before the clock starts (the goal is per mail "with
    # the PDF cached"; otherwise the first worker half alone pays the three cold renders).
    from maklerwerk.exposes.render import expose_pdf

    t0 = time.monotonic()
    for prop in Property.objects.filter(office=office):
        expose_pdf(prop)
    render_seconds = time.monotonic() - t0
    one = _work(inst, 1, office.pk, ids[0::2], port)
    two = _work(inst, 2, office.pk, ids[1::2], port)
    load_after = os.getloadavg()
    automated = one["mails"] + two["mails"]
    # 4. The prospects confirm (the link from their double-opt-in mail).
    links = []
    for content, _seconds in automated:
        msg = email.message_from_bytes(content, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]  # plain
        m = re.search(r"/inquiries/confirm/([A-Za-z0-9_\-]+)/", text)
        if m:
            links.append((m.group(1), msg["To"].addresses[0].addr_spec))
    confirm_spool = inst.data_dir / "smtp" / "confirmations"
    with smtp_spool(confirm_spool, processes=SMTP_PROCESSES, port=port):
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
    sent = [m for m, _s in automated + spooled(confirm_spool)]
    # A second pass must change nothing.
    again = mailbox_fetch(mailbox, automate=False)
    contacts_created = Contact.objects.filter(office=office).count() - contacts_before
    duplicates = Inquiry.objects.filter(mailbox=mailbox, status="aborted", duplicate_of__isnull=False).count()
    completed = Inquiry.objects.filter(mailbox=mailbox, status="completed").count()
    mails_sent = len(sent)
    confirmations = sum(
        1
        for c in sent
        if "Bitte bestätigen" in str(email.message_from_bytes(c, policy=email.policy.default)["Subject"])
    )
    exposes = mails_sent - confirmations
    total = 3 * third
    rows = [
        ["mails fetched / taken in", f"{total} / {total}", f"{fetched} / {result.taken_in}"],
        ["second pass: taken in", "0", str(again.taken_in)],
        ["automation jobs failed", "0", str(int(one["failed"] + two["failed"]))],
        ["contacts created", str(third), str(contacts_created)],
        ["duplicates caught (aborted + task)", str(third), str(duplicates)],
        ["inquiries completed (exposé sent)", str(2 * third), str(completed)],
        ["double-opt-in mails sent", str(2 * third), str(confirmations)],
        ["exposé mails sent", str(2 * third), str(exposes)],
        ["mails sent in total", str(4 * third), str(mails_sent)],
    ]
    rows.append(
        [
            "intake-only inbox: fetched / taken in",
            "999 / 999",
            f"{big['fetched']:.0f} / {big['taken_in']:.0f}",
        ]
    )
    exact = all(r[1] == r[2] for r in rows)
    timing = [
        ["bare IMAP fetch (UID FETCH BODY.PEEK[], batches of 50)", f"{fetch_seconds:.3f}", "1.0"],
        ["intake: fetch, claim + unread inquiry rows, one transaction per batch of 50, flag; session closed",
         f"{intake_seconds:.3f}", f"{intake_seconds / fetch_seconds:.1f}"],
        [f"bare IMAP fetch, {big['fetched']:.0f} mails (second inbox, best of 3)", f"{big['bare_wall']:.3f}", "1.0"],
        [f"intake of the same {big['taken_in']:.0f} mails, best of 3; session closed", f"{big['intake_wall']:.3f}",
         f"{big['intake_wall'] / big['bare_wall']:.1f}"],
    ]  # fmt: skip
    for stage, part in ((one, ids[0::2]), (two, ids[1::2])):
        stage["smtp_cpu_ms"] = stage["server_cpu"] * 1000 / len(part)
        stage["smtp_wait_ms"] = 1000 * sum(sec for _m, sec in stage["mails"]) / len(part)
        stage["ours"] = (stage["cpu_per_mail_ms"] + stage["smtp_cpu_ms"]) / stage["per_mail_ms"]
    workers = [
        ["1 worker process", len(ids[0::2]), f"{one['seconds']:.1f}", f"{len(ids[0::2]) / one['seconds']:.1f}",
         f"{one['per_mail_ms']:.0f}", f"{one['cpu_per_mail_ms']:.0f}", f"{one['smtp_cpu_ms']:.0f}",
         f"{one['cpu_per_mail_ms'] / one['per_mail_ms']:.2f}", f"{one['ours']:.2f}",
         f"{100 * one['machine_busy']:.0f} %", f"{one['load']:.1f}", "1.00"],
        ["2 worker processes", len(ids[1::2]), f"{two['seconds']:.1f}", f"{len(ids[1::2]) / two['seconds']:.1f}",
         f"{two['per_mail_ms']:.0f}", f"{two['cpu_per_mail_ms']:.0f}", f"{two['smtp_cpu_ms']:.0f}",
         f"{two['cpu_per_mail_ms'] / two['per_mail_ms']:.2f}", f"{two['ours']:.2f}",
         f"{100 * two['machine_busy']:.0f} %", f"{two['load']:.1f}",
         f"{(len(ids[1::2]) / two['seconds']) / (len(ids[0::2]) / one['seconds']):.2f}"],
    ]  # fmt: skip
    kinds = [
        [label, f"{one.get('mean_ms:' + key, 0):.0f}", f"{two.get('mean_ms:' + key, 0):.0f}",
         f"{one.get('cpu_ms:' + key, 0):.0f}", f"{two.get('cpu_ms:' + key, 0):.0f}"]
        for key, label in (("completed", "known contact: exposé with PDF sent"),
                           ("waiting_for_confirmation", "new or duplicate: double-opt-in mail sent"))
    ]  # fmt: skip
    print("expected vs actual:", *(f"{r[0]}: {r[1]} / {r[2]}" for r in rows), sep="\n  ")
    return "\n".join(
        [
            f"{total} ImmobilienScout24 mails in a real Dovecot 2.3 inbox on loopback; SQLite; 3 properties with "
            f"{PHOTOS} photos each ({PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG); mails to a real SMTP server (aiosmtpd, "
            f"{SMTP_PROCESSES} server processes on one port, see below); "
            f"automation jobs run by a real Huey consumer (`run_huey --worker-type process`). Seeding "
            f"{2 * third} contacts and the photos took {seed_seconds:.1f} s (not counted).",
            "",
            md_table(["stage", "seconds", "ratio to bare fetch"], timing),
            "",
            "Intake keeps the IMAP session in a thread of its own that fetches the next batch while this one is "
            "stored and flags (one STORE for all that is done) while the next is stored; per batch one read of the "
            "known claims, one INSERT of the inquiries, one INSERT of the claims (conflicts skipped, the written "
            "ones returned), one commit.",
            "",
            f"CPU time of this process, best of 3 (the IMAP server's own work is not in it): bare fetch "
            f"{big['bare_cpu'] * 1000:.0f} ms, intake {big['intake_cpu'] * 1000:.0f} ms "
            f"({big['intake_cpu'] * 1e6 / max(1.0, big['taken_in']):.0f} µs per mail). Machine load: "
            f"{os.cpu_count()} cores shared with other engineers' work; load average "
            f"{load_before[0]:.1f} before the intake stages and {load_after[0]:.1f} after the automation, "
            "so wall-clock seconds include waiting for a core.",
            "",
            "Automation, one job per inquiry (every other inquiry with 1 worker, the rest with 2: the same mix); "
            "seconds from the first job's start to the last job's end:",
            "",
            md_table(
                [
                    "workers",
                    "inquiries",
                    "seconds",
                    "inquiries/s",
                    "ms per inquiry (wall)",
                    "ms per inquiry (CPU, mean of the jobs)",
                    "SMTP server CPU per inquiry (ms)",
                    "cores the jobs got (CPU / wall)",
                    "cores jobs + SMTP server got",
                    "machine's 2 cores busy (all processes)",
                    "load average (1 min, highest of start and end)",
                    "throughput vs 1",
                ],
                workers,
            ),
            "",
            md_table(
                [
                    "job kind (mean per job)",
                    "1 worker, ms wall",
                    "2 workers, ms wall",
                    "1 worker, ms CPU",
                    "2 workers, ms CPU",
                ],
                kinds,
            ),
            "",
            f"2 workers got {(two['cpu_per_mail_ms'] / two['per_mail_ms']) / (one['cpu_per_mail_ms'] / one['per_mail_ms']):.2f}x "
            f"the cores 1 worker got (CPU per inquiry {one['cpu_per_mail_ms']:.0f} ms with 1 worker, "
            f"{two['cpu_per_mail_ms']:.0f} ms with 2).",
            "",
            "CPU is the job's own thread time (not waiting for a core, the database's disk or the SMTP server): "
            "the figure to hold against the goal of 50 ms while the machine is shared.",
            "",
            f"The SMTP server: {SMTP_PROCESSES} aiosmtpd processes listening on one loopback port "
            "(SO_REUSEPORT: the kernel hands each connection to one of them, so two workers' mails are read at "
            "once), started anew for each stage; each writes every mail it accepts to a spool folder, which the "
            "benchmark reads afterwards for its counts and the confirmation links. aiosmtpd reads DATA line by "
            f"line: from its reply to RCPT to the end of DATA it took {_data_ms(automated, True):.0f} ms per "
            f"exposé mail ({_mail_mb(automated, True):.1f} MB) and {_data_ms(automated, False):.0f} ms per "
            f"double-opt-in mail, {one['smtp_wait_ms']:.0f} ms per inquiry with 1 worker and "
            f"{two['smtp_wait_ms']:.0f} ms with 2: a job waits for that, so it is in the wall time but not in the "
            f"jobs' CPU. The server processes used {one['server_cpu']:.1f} s of CPU while 1 worker ran "
            f"({one['seconds']:.1f} s) and {two['server_cpu']:.1f} s while 2 workers ran ({two['seconds']:.1f} s), "
            "on the same 2 cores as the workers.",
            "",
            f"The three exposés (12 photos each) were rendered once before the automation, untimed: "
            f"{render_seconds:.1f} s in all; every job reads its PDF from the disk cache.",
            "",
            f"Confirmations (contact + duplicate check + exposé with PDF, in the bench process): {len(links)} in "
            f"{confirm_seconds:.1f} s ({confirm_seconds * 1000 / max(1, len(links)):.0f} ms each).",
            "",
            md_table(["count", "expected", "actual"], rows),
            "",
            "All counts exact." if exact else "**Counts differ from the expected values.**",
        ]
    )
