"""Exactly-once claims of the inquiry manager, raced with real threads on the test database.

Each test lets two parties pass every check that comes before the claim (the link looks valid to
both, the exposé is not yet sent for both) and only then lets them claim, so the conditional UPDATE
is the only thing that can keep the second one out. The threads meet through Django's
`connection.execute_wrapper` (they wait after a given query); the code under test is unchanged.
On SQLite the writers queue on the database lock, on PostgreSQL on the row lock; both must hold.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.inquiries import automation
from maklerwerk.inquiries.models import Inquiry
from maklerwerk.inquiries.services import (
    ConfirmationInvalid,
    inquiries_expire,
    inquiry_automate,
    inquiry_confirm,
    inquiry_create_from_form,
    inquiry_retry,
)
from tests.inquiries.conftest import contact, links_in, text_of

pytestmark = pytest.mark.django_db(transaction=True)

DATA = {"salutation": "herr", "first_name": "Jörg", "last_name": "Weißmann", "street": "Hauptstraße",
        "house_number": "5", "postal_code": "51465", "city": "Bergisch Gladbach", "phone": ""}  # fmt: skip


def _run(fn: Callable[[], Any], wrapper: Callable[..., Any] | None, out: list[Any]) -> threading.Thread:
    def target() -> None:
        try:
            if wrapper is None:
                out.append(fn())
            else:
                with connection.execute_wrapper(wrapper):
                    out.append(fn())
        except Exception as exc:
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def _is_resolve(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT") and "inquiries_inquiry" in sql and "token_hash" in sql


def _waiting(office: Any, agent: Any, smtp_sink: Any) -> tuple[Inquiry, str]:
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={
            "email": "joerg.weissmann@example.net",
            "last_name": "Weißmann",
            "property_external_id": "MW-1002",
        },
    )
    inquiry = inquiry_automate(inquiry_id=inquiry.pk)
    assert inquiry.status == "waiting_for_confirmation"
    [link] = links_in(text_of(smtp_sink.parsed()[-1]))
    return inquiry, link.rstrip("/").rsplit("/", 1)[-1]


def _expose_mails(smtp_sink: Any) -> int:
    return sum(1 for m in smtp_sink.parsed() if m["Subject"].startswith("Ihr Exposé"))


def test_two_concurrent_confirmations_of_one_link_confirm_once(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN two requests with the same link that both found it valid WHEN both confirm THEN one wins,
    the other is told the link was used; one contact, one "confirmed" step, one exposé."""
    inquiry, token = _waiting(office, agent, smtp_sink)
    both_resolved = threading.Barrier(2)
    loser_done = threading.Event()

    def choreography() -> Callable[..., Any]:
        state = {"resolved": False, "won": False}

        def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            if state["won"] and not context["connection"].in_atomic_block:
                # The winner committed its claim; it waits until the other one tried to claim too.
                loser_done.wait(15)
                state["won"] = False
            result = execute(sql, params, many, context)
            if not state["resolved"] and _is_resolve(sql):
                state["resolved"] = True
                both_resolved.wait(30)
            elif sql.lstrip().upper().startswith("UPDATE") and "confirmed_at" in sql:
                if context["cursor"].rowcount:
                    state["won"] = True
                else:
                    loser_done.set()
            return result

        return wrapper

    results: list[Any] = []
    threads = [
        _run(lambda: inquiry_confirm(token=token, data=DATA), choreography(), results) for _ in range(2)
    ]
    for t in threads:
        t.join(120)
    loser_done.set()

    refused = [r for r in results if isinstance(r, ConfirmationInvalid)]
    assert len(results) == 2 and len(refused) == 1 and refused[0].kind == "used", results
    inquiry.refresh_from_db()
    assert inquiry.status == "completed"
    assert inquiry.steps.filter(kind="confirmed").count() == 1
    assert Contact.objects.filter(office=office, last_name="Weißmann").count() == 1
    assert _expose_mails(smtp_sink) == 1


def test_a_confirmation_racing_the_expiry_job_is_refused(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN a request that found the link still valid WHEN the expiry job aborts the inquiry before
    the request claims it THEN the request is refused: no contact, no exposé, the inquiry stays aborted.

    (The link's own date is checked right before the claim, in the same request; the claim repeats
    that check for the microseconds between, which no test from outside can hit.)
    """
    inquiry, token = _waiting(office, agent, smtp_sink)
    resolved, go = threading.Event(), threading.Event()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if _is_resolve(sql) and not resolved.is_set():
            resolved.set()  # found valid; waits (holding no lock) while the expiry job runs
            go.wait(30)
        return result

    results: list[Any] = []
    thread = _run(lambda: inquiry_confirm(token=token, data=DATA), wrapper, results)
    assert resolved.wait(30)
    assert inquiries_expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    go.set()
    thread.join(60)

    assert len(results) == 1 and isinstance(results[0], ConfirmationInvalid), results
    inquiry.refresh_from_db()
    assert inquiry.status == "aborted" and inquiry.reason.startswith("Bestätigung abgelaufen")
    assert inquiry.confirmed_at is None and inquiry.contact_id is None
    assert not inquiry.steps.filter(kind="confirmed").exists()
    assert not Contact.objects.filter(office=office, last_name="Weißmann").exists()
    assert _expose_mails(smtp_sink) == 0


def test_an_inquirys_exposé_is_claimed_once_by_two_workers(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN an inquiry whose exposé was refused once and is ready to go again WHEN two workers send it
    at the same time THEN one mail, one "sent" step, completed, no second failure step."""
    contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])
    smtp_sink.refuse.add("jonas@example.com")
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={"email": "jonas@example.com", "first_name": "Jonas", "last_name": "Weber",
              "property_external_id": "MW-1001"},
    )  # fmt: skip
    inquiry = inquiry_automate(inquiry_id=inquiry.pk)
    assert inquiry.status == "aborted" and inquiry.expose_claimed_at is None
    smtp_sink.refuse.clear()
    failed_before = inquiry.steps.filter(kind="expose", ok=False).count()

    start = threading.Barrier(2)

    def send() -> None:
        mine = Inquiry.objects.select_related("office", "contact", "property").get(pk=inquiry.pk)
        start.wait(30)
        automation.expose_send(mine)

    results: list[Any] = []
    threads = [_run(send, None, results) for _ in range(2)]
    for t in threads:
        t.join(120)

    assert results == [None, None]
    inquiry.refresh_from_db()
    assert inquiry.status == "completed" and inquiry.expose_sent_at is not None
    assert _expose_mails(smtp_sink) == 1
    assert inquiry.steps.filter(kind="expose", ok=True).count() == 1
    assert inquiry.steps.filter(kind="expose", ok=False).count() == failed_before


def test_a_confirmation_mail_is_claimed_once_by_two_workers(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN an inquiry decided for double opt-in whose worker died before the mail went out WHEN two
    workers finish it at the same time (the resumed job and the late original) THEN the prospect gets
    one mail with one link, and the inquiry one "confirmation mail" step."""
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={"email": "joerg.weissmann@example.net", "last_name": "Weißmann",
              "property_external_id": "MW-1002"},
    )  # fmt: skip
    decided, decision = automation._claim_and_decide(inquiry.pk)  # decided, nothing sent yet
    assert decision is automation.CONFIRM and decided.confirmation_sent_at is None
    assert automation.pending_decision(decided) is automation.CONFIRM

    start = threading.Barrier(2)

    def send() -> None:
        mine = Inquiry.objects.select_related("office", "mailbox__main_user", "assigned_to").get(
            pk=inquiry.pk
        )
        assert automation.pending_decision(mine) is automation.CONFIRM  # both see the mail as due
        start.wait(30)
        automation.confirmation_send(mine)

    results: list[Any] = []
    threads = [_run(send, None, results) for _ in range(2)]
    for t in threads:
        t.join(120)

    assert results == [None, None]
    assert [m["To"] for m in smtp_sink.parsed()] == ["Weißmann <joerg.weissmann@example.net>"]
    [link] = links_in(text_of(smtp_sink.parsed()[0]))
    inquiry.refresh_from_db()
    assert inquiry.confirmation_sent_at is not None
    assert inquiry.steps.filter(kind="confirmation_mail").count() == 1
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert inquiry_confirm(token=token, data=DATA).confirmed_at is not None  # the link that went out


def test_two_users_retrying_one_inquiry_at_once_send_one_confirmation_mail(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN an inquiry whose double-opt-in mail was refused WHEN two users press "erneut verarbeiten"
    at the same moment THEN the prospect gets one mail with one link, the inquiry one "retry" and one
    "confirmation mail" step, and the other user is told it is already being processed."""
    smtp_sink.refuse.add("joerg.weissmann@example.net")  # the first attempt fails: the mail is due again
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={
            "email": "joerg.weissmann@example.net",
            "last_name": "Weißmann",
            "property_external_id": "MW-1002",
        },
    )
    inquiry = inquiry_automate(inquiry_id=inquiry.pk)
    assert inquiry.status == "aborted" and inquiry.confirmation_sent_at is None
    smtp_sink.refuse.clear()
    steps_before = inquiry.steps.filter(kind="confirmation_mail").count()
    start = threading.Barrier(2)

    def retry() -> Any:
        mine = Inquiry.objects.select_related("office").get(pk=inquiry.pk)
        start.wait(30)
        return inquiry_retry(inquiry=mine, acting_user=agent)

    results: list[Any] = []
    threads = [_run(retry, None, results) for _ in range(2)]
    for t in threads:
        t.join(120)

    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(results) == 2 and len(refused) == 1, results
    assert refused[0].message == "Diese Anfrage wird gerade schon verarbeitet."
    assert [m["To"] for m in smtp_sink.parsed()] == ["Weißmann <joerg.weissmann@example.net>"]
    assert len(links_in(text_of(smtp_sink.parsed()[0]))) == 1
    inquiry.refresh_from_db()
    assert inquiry.status == "waiting_for_confirmation" and inquiry.confirmation_sent_at is not None
    assert inquiry.steps.filter(kind="retry").count() == 1
    assert inquiry.steps.filter(kind="confirmation_mail").count() == steps_before + 1
