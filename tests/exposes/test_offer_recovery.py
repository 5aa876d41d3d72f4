"""What the agent sees after a worker died on another machine: the lease ran out, the page says so.

(tests/core/test_jobs_crash.py kills a real worker process; here the dead worker is on another host,
so only its expired lease tells that it is gone.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from maklerwerk.core.models import Job
from maklerwerk.exposes import services
from maklerwerk.exposes.evidence import evidence_entries
from maklerwerk.exposes.models import Offer
from tests.conftest import api_client_for, mail_template
from tests.mailing.conftest import make_contact, make_prop

pytestmark = pytest.mark.django_db(transaction=True)


def _offer(agent: Any, names: list[str], props: list[Any] | None = None, **kw: Any) -> Offer:
    contacts = [
        make_contact(agent.office, email=f"{n}@example.org", first_name=n.title(), last_name="Kunde")
        for n in names
    ]
    return services.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=contacts,
        properties=props or [make_prop(agent.office, agent)],
        mail_template=mail_template(agent, "expose"),
        attach_expose=False,
        **kw,
    )


def _dead_job(offer: Offer, agent: Any, *, lease_until: Any) -> Job:
    """The row a worker on another machine left when it was killed while sending this offer."""
    job = Job.objects.create(
        kind="exposes.offer_send",
        title="Angebot senden",
        office=agent.office,
        created_by=agent,
        state=Job.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        worker="worker-7f3a.internal:1:0a1b2c3d",
        lease_until=lease_until,
        params={"offer_id": offer.pk, "acting_user_id": agent.pk},
    )
    Offer.objects.filter(pk=offer.pk).update(last_job=job)
    return job


def test_the_offer_page_resolves_a_dead_job_and_the_agent_decides_on_the_unclear_mail(
    smtp_sink: Any, agent: Any, agent_client: Client
) -> None:
    offer = _offer(agent, ["anna", "bernd", "clara"])
    bernd = offer.recipients.get(email="bernd@example.org")
    assert services.recipient_claim(bernd.pk)  # the dead worker had claimed Bernd ...
    offer.recipients.filter(pk=bernd.pk).update(message_id="<1.2@maklerwerk>")  # ... and was talking SMTP
    dead = _dead_job(offer, agent, lease_until=timezone.now() - dt.timedelta(seconds=1))

    page = agent_client.get(f"/exposes/offers/{offer.pk}/").content.decode()

    dead.refresh_from_db()
    assert dead.state == "failed" and dead.message.startswith("Unterbrochen")
    assert "2 Mails versendet" in page  # the new job that carried on
    assert "Zustellung unklar (Der Hintergrunddienst wurde beendet, während diese Mail gesendet" in page
    assert "<code>&lt;1.2@maklerwerk&gt;</code>" in page
    assert "Erneut senden" in page and "Als zugestellt markieren" in page
    # The waiting ones went out in a new job; Bernd got nothing automatically.
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["anna@example.org", "clara@example.org"]
    offer.refresh_from_db()
    assert offer.last_job is not None
    assert offer.last_job.resumed_from == dead and offer.last_job.state == "succeeded"

    # "Fehlende erneut senden" has nobody left: the unclear mail waits for the agent's decision.
    response = agent_client.post(f"/exposes/offers/{offer.pk}/retry/", follow=True)
    assert "Es gibt niemanden mehr" in response.content.decode()
    response = agent_client.post(
        f"/exposes/offers/{offer.pk}/recipients/{bernd.pk}/resolve/", {"decision": "delivered"}, follow=True
    )
    assert "Als zugestellt markiert." in response.content.decode()
    bernd.refresh_from_db()
    assert bernd.status == "sent" and bernd.reason == "Von Max Makler als zugestellt markiert."
    # The evidence record and the contact's timeline show the confirmed mail like a sent one.
    evidence = bernd.activity
    assert evidence is not None and evidence.type == "expose_sent" and evidence.contact_id == bernd.contact_id
    assert evidence.payload["message_id"] == "<1.2@maklerwerk>" and evidence.user == agent
    entries = evidence_entries(contact=bernd.contact, prop=bernd.property)
    confirmed = [e for e in entries if e.kind == "Exposé versendet"]
    assert len(confirmed) == 1 and ("Message-ID", "<1.2@maklerwerk>") in confirmed[0].details
    assert "Von Max Makler als zugestellt markiert." in confirmed[0].text
    assert len(smtp_sink.messages) == 2
    # A decision is taken once.
    response = agent_client.post(
        f"/exposes/offers/{offer.pk}/recipients/{bernd.pk}/resolve/", {"decision": "resend"}, follow=True
    )
    assert "Über diese Mail ist bereits entschieden." in response.content.decode()
    assert len(smtp_sink.messages) == 2


def test_retry_starts_a_new_job_when_the_last_one_is_dead_and_returns_a_live_one(
    smtp_sink: Any, agent: Any
) -> None:
    offer = _offer(agent, ["anna", "bernd"])
    alive = _dead_job(offer, agent, lease_until=timezone.now() + dt.timedelta(minutes=1))
    api = api_client_for(agent)
    # Within its lease the job on the other machine is alive: the retry shows it, no second job.
    response = api.post(f"/api/v1/offers/{offer.pk}/retry")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["job"] == {**body["job"], "id": str(alive.pk), "state": "running"}
    assert smtp_sink.messages == [] and Job.objects.count() == 1

    Job.objects.filter(pk=alive.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    offer.refresh_from_db()
    job = services.offer_send_start(offer=offer, acting_user=agent)  # what the button and the API call
    job.refresh_from_db()
    assert job.pk != alive.pk and job.state == "succeeded" and job.resumed_from_id == alive.pk
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["anna@example.org", "bernd@example.org"]
    alive.refresh_from_db()
    assert alive.state == "failed"
    response = api.post(f"/api/v1/offers/{offer.pk}/retry")
    assert response.status_code == 400 and "niemanden mehr" in response.json()["detail"]
    assert len(smtp_sink.messages) == 2


def test_a_job_from_before_the_lease_is_not_running_forever(agent: Any, smtp_sink: Any) -> None:
    """A job left "running" by a worker killed before this version (no lease at all) is dead on read."""
    offer = _offer(agent, ["anna"])
    dead = _dead_job(offer, agent, lease_until=None)
    body = api_client_for(agent).get(f"/api/v1/jobs/{dead.pk}").json()
    assert body["state"] == "failed" and body["message"].startswith("Unterbrochen")
    assert [m.rcpt_tos[0] for m in smtp_sink.messages] == ["anna@example.org"]


def test_an_unexpected_error_for_one_recipient_does_not_stop_the_others(
    smtp_sink: Any, agent: Any, settings: Any
) -> None:
    """GIVEN a document whose file vanished from the storage, attached for one of two properties
    WHEN the offer is sent THEN the other property's mails go out and the broken ones fail with a reason."""
    from maklerwerk.properties.models import PropertyDocument

    broken = make_prop(agent.office, agent)
    broken.external_id = "W-2024-016"
    broken.save()
    fine = make_prop(agent.office, agent)
    doc = PropertyDocument(property=broken, title="Grundriss", kind="floor_plan")
    doc.file.save("grundriss.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    offer = _offer(agent, ["anna", "bernd"], props=[broken, fine], document_ids=[doc.pk])
    doc.file.storage.delete(doc.file.name)  # type: ignore[arg-type]  # just saved: named

    job = services.offer_send_start(offer=offer, acting_user=agent)
    job.refresh_from_db()

    assert job.state == "succeeded" and (job.result["sent"], job.result["failed"]) == (2, 2)
    assert job.message == "2 Mails versendet, 2 fehlgeschlagen"
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["anna@example.org", "bernd@example.org"]
    failed = offer.recipients.filter(property=broken)
    assert {r.status for r in failed} == {"failed"}
    assert all(r.reason.startswith("Unerwarteter Fehler:") for r in failed)
