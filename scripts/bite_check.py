#!/usr/bin/env python3
"""Breaks the behaviours that matter most, one at a time, and shows that a test catches each break
(issue #25, docs/testing.md): `make bite` or `scripts/bite_check.py [NAME ...]`.

Every break is a text replacement in a copy of `src/maklerwerk` (the working tree is never touched);
the named tests then run against that copy (PYTHONPATH puts it before the installed package) and
must FAIL. A break whose text is no longer in the code is reported as stale: the code moved, so the
break must move with it. Breaks marked PostgreSQL need `TEST_DATABASE_URL` (a race that only a
database with row locks can show); without it they are reported as not run.
Exit status: 0 when every break that ran was caught, 1 otherwise, 2 when the named tests already
fail on the unbroken code (then no "caught" proves anything).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Break:
    name: str
    behaviour: str
    file: str  # under src/maklerwerk/
    old: str
    new: str
    tests: tuple[str, ...]
    postgres: bool = False


BREAKS = [
    Break(
        "merge-later-apps",
        "merge moves the rows of every related model, including apps added later",
        "duplicates/merge.py",
        "    relations = contact_relations()\n",
        "    relations = [r for r in contact_relations() if r[0]._meta.app_label != 'testapp']\n",
        ("tests/duplicates/test_merge_related.py",),
    ),
    Break(
        "merge-through-tables",
        "merge moves the rows of every related model (many-to-many through tables)",
        "duplicates/merge.py",
        "    relations = contact_relations()\n",
        "    relations = [r for r in contact_relations() if not r[0]._meta.auto_created]\n",
        ("tests/duplicates/test_merge_related.py",),
    ),
    Break(
        "merge-generic",
        "merge re-points generic relations (the merged contact's history)",
        "duplicates/merge.py",
        "            if isinstance(gfk, GenericForeignKey):\n",
        "            if False and isinstance(gfk, GenericForeignKey):\n",
        ("tests/duplicates/test_merge_related.py", "tests/duplicates/test_merge.py"),
    ),
    Break(
        "merge-lock",
        "merge locks both rows against a concurrent merge",
        "duplicates/merge.py",
        "Contact.objects.select_for_update().filter(pk__in=sorted(ids))",
        "Contact.objects.filter(pk__in=sorted(ids))",
        (
            "tests/duplicates/test_merge.py::test_concurrent_merges_one_wins_the_other_is_refused_nothing_lost",
        ),
        postgres=True,
    ),
    Break(
        "visibility-agents",
        "restricted properties are hidden from colleagues (a shortcut for agents)",
        "properties/models.py",
        'if getattr(user, "effective_role", None) == "admin":',
        'if getattr(user, "effective_role", None) in ("admin", "agent"):',
        ("tests/properties/test_visibility.py",),
    ),
    Break(
        "visibility-everyone",
        "restricted properties are hidden from colleagues (a shortcut for everyone)",
        "properties/models.py",
        'if getattr(user, "effective_role", None) == "admin":',
        "if True:",
        ("tests/properties/test_visibility.py",),
    ),
    Break(
        "download-consent",
        "a single file download on a share link waits for consent",
        "sharing/views_public.py",
        "    if not staff and visits.consent_needed(link):\n"
        '        return redirect("sharing:public", token=token)\n    entry = _entry_for(link, key)\n',
        "    entry = _entry_for(link, key)\n",
        ("tests/sharing/test_gate_and_tracking.py::test_a_single_download_waits_for_the_consent",),
    ),
    Break(
        "zip-consent",
        "the ZIP of all documents on a share link waits for consent",
        "sharing/views_public.py",
        "    if not staff and visits.consent_needed(link):\n"
        '        return redirect("sharing:public", token=token)\n    params = _page_params(request)\n',
        "    params = _page_params(request)\n",
        ("tests/sharing/test_public.py::test_consent_gate_before_the_documents",),
    ),
    Break(
        "offer-claim",
        "the offer worker skips recipients it could not claim",
        "exposes/services.py",
        "    if not recipient_claim(recipient.pk):\n        return RecipientResult(Outcome.TAKEN)\n",
        "    recipient_claim(recipient.pk)\n",
        ("tests/exposes/test_offer_claims.py::test_two_workers_at_once_send_every_recipient_exactly_once",),
        postgres=True,
    ),
    Break(
        "offer-message-id",
        "the Message-ID is recorded before SMTP (crash safety)",
        "exposes/services.py",
        r"RE:(\n( +)OfferRecipient\.objects\.filter\(pk=recipient\.pk\)"
        r"\.update\(message_id=mail\.message_id, email=address\)\n)"
        r"((?:.*\n)*?\2seconds = mail_transmit\(mail, mailer=mailer\)\n)",
        r"\n\3\2OfferRecipient.objects.filter(pk=recipient.pk)"
        r".update(message_id=mail.message_id, email=address)\n",
        (
            "tests/exposes/test_offer_claims.py::test_the_message_id_is_recorded_before_the_server_sees_the_mail",
        ),
    ),
    Break(
        "inquiry-expose-claim",
        "an inquiry's exposé is claimed once",
        "inquiries/automation.py",
        "Inquiry.objects.filter(pk=inquiry.pk, expose_claimed_at__isnull=True).update(",
        "Inquiry.objects.filter(pk=inquiry.pk).update(",
        ("tests/inquiries/test_claims.py::test_an_inquirys_exposé_is_claimed_once_by_two_workers",),
        postgres=True,
    ),
    Break(
        "confirmation-claim",
        "a confirmation is claimed once (second click, concurrent request)",
        "inquiries/services.py",
        "            confirmed_at__isnull=True,\n            token_expires_at__gt=timezone.now(),\n",
        "            token_expires_at__gt=timezone.now(),\n",
        ("tests/inquiries/test_claims.py::test_two_concurrent_confirmations_of_one_link_confirm_once",),
        postgres=True,
    ),
    Break(
        "confirmation-expiry",
        "a confirmation is claimed once (racing the expiry job)",
        "inquiries/services.py",
        "            status=Inquiry.Status.WAITING,\n            confirmed_at__isnull=True,\n"
        "            token_expires_at__gt=timezone.now(),\n",
        "            confirmed_at__isnull=True,\n",
        ("tests/inquiries/test_claims.py::test_a_confirmation_racing_the_expiry_job_is_refused",),
        postgres=True,
    ),
    Break(
        "confirmation-mail-claim",
        "a confirmation mail is claimed once",
        "inquiries/automation.py",
        "Inquiry.objects.filter(pk=inquiry.pk, confirmation_sent_at__isnull=True).update(",
        "Inquiry.objects.filter(pk=inquiry.pk).update(",
        ("tests/inquiries/test_claims.py::test_a_confirmation_mail_is_claimed_once_by_two_workers",),
        postgres=True,
    ),
    Break(
        "token-active-user",
        "a deactivated user's API token is refused (the active filter)",
        "accounts/services.py",
        "revoked_at__isnull=True, user__is_active=True)",
        "revoked_at__isnull=True)",
        ("tests/accounts/test_users.py::test_a_deactivated_users_api_token_is_refused_and_stays_revoked",),
    ),
    Break(
        "token-revoke-on-deactivate",
        "a deactivated user's API token is refused (revoked with the user)",
        "accounts/services.py",
        "        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())\n",
        "        pass\n",
        ("tests/accounts/test_users.py::test_a_deactivated_users_api_token_is_refused_and_stays_revoked",),
    ),
    Break(
        "expose-fetcher",
        "the exposé renderer may fetch no files or URLs (office CSS)",
        "exposes/render.py",
        '        raise ValueError(f"URL not allowed in an exposé: {url[:80]}")\n',
        "        from weasyprint.urls import URLFetcher as WeasyFetcher\n\n"
        "        return WeasyFetcher(timeout=2)(url)  # WeasyPrint's own fetcher: files and URLs\n",
        ("tests/exposes/test_render.py",),
    ),
    Break(
        "letter-fetcher",
        "the letter renderer may fetch no files or URLs",
        "mailing/letters.py",
        'URLFetcher(allowed_protocols={"data"}, timeout=1)',
        "URLFetcher(timeout=1)",
        ("tests/mailing/test_letters.py::test_the_letter_renderer_fetches_no_file_and_no_url",),
    ),
    Break(
        "thresholds-managers",
        "only managers change duplicate thresholds (HTML view)",
        "duplicates/views.py",
        "@require_capability(Capability.MANAGE_OFFICE)\n@require_POST\ndef settings_update(",
        "@require_POST\ndef settings_update(",
        ("tests/duplicates/test_views.py::test_only_managers_change_thresholds",),
    ),
    Break(
        "check-emails",
        "the duplicate check on save sees e-mails",
        "contacts/services.py",
        '        emails=[e["value"] for e in data.get("emails", [])],\n',
        "        emails=[],\n",
        ("tests/contacts/test_duplicate_check.py",),
    ),
    Break(
        "check-phones",
        "the duplicate check on save sees phones",
        "contacts/services.py",
        '        phones=[p["value"] for p in data.get("phones", [])],\n',
        "        phones=[],\n",
        ("tests/contacts/test_duplicate_check.py",),
    ),
]


def apply(text: str, brk: Break) -> str | None:
    """The broken text, or None when the break no longer matches the code exactly once."""
    if brk.old.startswith("RE:"):
        new, count = re.subn(brk.old[3:], brk.new, text)
        return new if count == 1 else None
    if text.count(brk.old) != 1:
        return None
    return text.replace(brk.old, brk.new)


def baseline(breaks: list[Break], python: str, data_dir: Path) -> bool:
    """The named tests pass on the unbroken code (else a "caught" would prove nothing)."""
    ok = True
    for postgres in (False, True):
        tests = sorted({t for b in breaks if b.postgres == postgres for t in b.tests})
        if not tests:
            continue
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "MAKLERWERK_DATA_DIR": str(data_dir),
        }
        if not postgres:
            env.pop("TEST_DATABASE_URL", None)
        proc = subprocess.run(  # noqa: S603 - our own pytest on our own test paths
            [python, "-m", "pytest", "-q", "-p", "no:randomly", *tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        verdict = "PASSED" if proc.returncode == 0 else "FAILED"
        print(f"{'baseline':28} {verdict:10} {'PostgreSQL' if postgres else 'SQLite':10}  [{tail}]")
        sys.stdout.flush()
        ok = ok and proc.returncode == 0
    return ok


def run(brk: Break, python: str, data_dir: Path) -> tuple[str, float, str]:
    with tempfile.TemporaryDirectory(prefix="bite-") as tmp:
        # The copy sits where the checkout's src/ would, with the rest of the checkout linked beside
        # it: settings find tests/testapp and docs/ relative to the package.
        copy = Path(tmp) / "src" / "maklerwerk"
        shutil.copytree(ROOT / "src" / "maklerwerk", copy, ignore=shutil.ignore_patterns("__pycache__"))
        for item in ("tests", "docs", "bench", "scripts", "pyproject.toml"):
            (Path(tmp) / item).symlink_to(ROOT / item)
        target = copy / brk.file
        broken = apply(target.read_text(encoding="utf-8"), brk)
        if broken is None:
            return "STALE", 0.0, f"the text to break is not in {brk.file} exactly once"
        target.write_text(broken, encoding="utf-8")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(Path(tmp) / "src"), str(ROOT)]),
            "MAKLERWERK_DATA_DIR": str(data_dir),
        }
        if not brk.postgres:
            env.pop("TEST_DATABASE_URL", None)
        started = time.monotonic()
        proc = subprocess.run(  # noqa: S603 - our own pytest on our own test paths
            [python, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *brk.tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        # Exit 1 with failed tests and no errors: a collection or setup error proves nothing.
        caught = proc.returncode == 1 and " failed" in tail and " error" not in tail
        return ("CAUGHT" if caught else f"NOT CAUGHT (exit {proc.returncode})"), seconds, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these breaks (default: all)")
    parser.add_argument("--list", action="store_true", help="list the breaks and exit")
    args = parser.parse_args()
    if args.list:
        for brk in BREAKS:
            print(f"{brk.name:28} {brk.behaviour}")
        return 0
    unknown = set(args.names) - {b.name for b in BREAKS}
    if unknown:
        parser.error(f"unknown break(s): {', '.join(sorted(unknown))}")
    python = str(ROOT / os.environ.get("VENV", ".venv") / "bin" / "python")
    pg = bool(os.environ.get("TEST_DATABASE_URL"))
    failures = 0
    chosen = [b for b in BREAKS if not args.names or b.name in args.names]
    with tempfile.TemporaryDirectory(prefix="bite-data-") as data:
        if not baseline([b for b in chosen if pg or not b.postgres], python, Path(data)):
            print("The tests fail on the unbroken code: fix them first.")
            return 2
        for brk in chosen:
            if brk.postgres and not pg:
                print(f"{brk.name:28} not run: needs TEST_DATABASE_URL (PostgreSQL)")
                continue
            verdict, seconds, tail = run(brk, python, Path(data))
            failures += verdict != "CAUGHT"
            db = "PostgreSQL" if brk.postgres else "SQLite"
            print(f"{brk.name:28} {verdict:10} {seconds:5.0f} s  {db:10}  {' '.join(brk.tests)}  [{tail}]")
            sys.stdout.flush()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
