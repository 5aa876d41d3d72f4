"""Exactly-once claims of the offer worker, with real threads on the test database (SQLite or PostgreSQL).

Two workers on the same offer at the same time must never send a recipient twice; the Message-ID
must be in the database before the SMTP server sees the mail (so a crash after the server accepted
it leaves a traceable "sending" row, never an anonymous one).
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from maklerwerk.core.jobs import job_run
from maklerwerk.core.models import Job
from maklerwerk.exposes import services
from maklerwerk.exposes.models import OfferRecipient
from tests.conftest import mail_template
from tests.mailing.conftest import make_contact

pytestmark = pytest.mark.django_db(transaction=True)


def _offer(agent: Any, prop: Any, n: int) -> Any:
    contacts = [
        make_contact(agent.office, email=f"kunde{i}@example.org", first_name=f"Kunde{i}", last_name="Test")
        for i in range(n)
    ]
    return services.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=contacts,
        properties=[prop],
        mail_template=mail_template(agent, "expose"),
        attach_expose=False,
    )


def _after_todo_query(barrier: threading.Barrier) -> Callable[..., Any]:
    """An execute wrapper: once this worker has read its to-do list, wait until the other one has too."""
    passed = False

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal passed
        result = execute(sql, params, many, context)
        if not passed and sql.lstrip().upper().startswith("SELECT") and "exposes_offerrecipient" in sql:
            passed = True
            barrier.wait(timeout=30)
        return result

    return wrapper


def _worker(job: Job, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        with connection.execute_wrapper(_after_todo_query(barrier)):
            job_run(str(job.pk), job.params)
    except BaseException as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connection.close()


def test_two_workers_at_once_send_every_recipient_exactly_once(smtp_sink: Any, agent: Any, prop: Any) -> None:
    """GIVEN two workers that both read the same six waiting recipients before either claims one
    WHEN they send at the same time THEN every recipient gets exactly one mail (a lost claim is skipped)."""
    offer = _offer(agent, prop, 6)
    params = {"offer_id": offer.pk, "acting_user_id": agent.pk}
    jobs = [
        Job.objects.create(kind="exposes.offer_send", title=f"Worker {i}", office=agent.office, params=params)
        for i in range(2)
    ]
    import maklerwerk.exposes.tasks  # noqa: F401 - registers the job function

    barrier, errors = threading.Barrier(2), list[BaseException]()
    threads = [threading.Thread(target=_worker, args=(job, barrier, errors)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    received = sorted(rcpt for m in smtp_sink.messages for rcpt in m.rcpt_tos)
    assert received == [f"kunde{i}@example.org" for i in range(6)]
    assert set(offer.recipients.values_list("status", "attempts")) == {("sent", 1)}
    for job in jobs:
        job.refresh_from_db()
    assert [j.state for j in jobs] == ["succeeded", "succeeded"]
    assert sum(j.result["sent"] for j in jobs) == 6


class RecordingSink:
    """Accepts every mail and notes what the database says about its recipient at that very moment."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.seen: dict[str, tuple[str, str, str]] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        address = envelope.rcpt_tos[0]
        try:
            row = OfferRecipient.objects.filter(email=address).values_list("status", "message_id").first()
        finally:
            connection.close()  # this is the SMTP server's thread
        status, message_id = row if row else ("", "")
        self.seen[address] = (status, message_id, mail["Message-ID"])
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def recording_sink(settings: Any) -> Iterator[RecordingSink]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = RecordingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "maklerwerk.integrations.smtp.backend.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    yield sink
    controller.stop()


def test_the_message_id_is_recorded_before_the_server_sees_the_mail(
    recording_sink: RecordingSink, agent: Any, prop: Any
) -> None:
    """WHEN the SMTP server receives a mail THEN its recipient is already claimed ("sending") with that
    very Message-ID in the database: a crash right now leaves a row the agent can check."""
    offer = _offer(agent, prop, 2)
    job = services.offer_send_start(offer=offer, acting_user=agent)  # runs inline (immediate mode)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["sent"] == 2
    assert set(recording_sink.seen) == {"kunde0@example.org", "kunde1@example.org"}
    for address, (status, recorded, sent) in recording_sink.seen.items():
        assert status == "sending", address
        assert recorded == sent and sent.startswith("<"), address
        final = offer.recipients.get(email=address)
        assert (final.status, final.message_id) == ("sent", sent)
