"""Deletion of inactive prospects (issue 22): the office's period, the nightly job that proposes,
the agent's review list with progress, and retention rules that keep what they hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.services import contact_create
from maklerwerk.core.models import Job
from maklerwerk.core.services import activity_create
from maklerwerk.privacy.inactive import inactive_review
from maklerwerk.privacy.models import InactiveProposal, PrivacySettings
from tests.privacy.conftest import at

pytestmark = pytest.mark.django_db


def person(office: Any, user: Any, name: str, roles: list[str]) -> Any:
    return contact_create(
        office=office,
        acting_user=user,
        data={"last_name": name, "roles": roles, "emails": [{"value": f"{name.lower()}@example.org"}]},
    )


@pytest.fixture
def old_people(office: Any, admin_user: Any) -> dict[str, Any]:
    with time_machine.travel(at(2023, 3, 1), tick=False):
        people = {
            "quiet": person(office, admin_user, "Stille", ["prospect"]),
            "buyer": person(office, admin_user, "Kaeufer", ["prospect", "buyer"]),
            "recent": person(office, admin_user, "Aktiv", ["prospect"]),
            "mailed": person(office, admin_user, "Angeschrieben", ["prospect"]),
        }
    with time_machine.travel(at(2024, 2, 1), tick=False):
        # An exposé sent: its Nachweis is held 3 years from the end of 2024.
        activity_create(
            office=office, type="expose_sent", subject="Exposé Altbau", acting_user=admin_user,
            contact_id=people["mailed"].pk, occurred_at=at(2024, 2, 1),
        )  # fmt: skip
    with time_machine.travel(at(2026, 10, 1), tick=False):
        activity_create(
            office=office, type="note", subject="Hat angerufen", acting_user=admin_user,
            contact_id=people["recent"].pk, occurred_at=at(2026, 10, 1),
        )  # fmt: skip
    return people


def test_the_job_proposes_only_prospects_without_deal_and_activity_and_the_agent_reviews(
    office: Any,
    admin_user: Any,
    agent: Any,
    old_people: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = Client()
    admin.force_login(admin_user)
    # Bad input keeps the setting as it was, with a German reason.
    page = admin.post("/privacy/inactive/", {"months": "3"}, follow=True).content.decode()
    assert "Geben Sie 6 bis 120 Monate ein" in page
    admin.post("/privacy/inactive/", {"months": "24"})
    assert PrivacySettings.objects.get(office=office).inactive_months == 24

    client = Client()
    client.force_login(agent)  # the agent reviews; the job shows its progress on the page
    with time_machine.travel(at(2026, 12, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/inactive/check/")
    job = Job.objects.get(kind="privacy.inactive_review")
    assert (
        job.state == "succeeded"
        and job.message == "2 vorgeschlagen, 0 gelöscht, 0 von Aufbewahrungspflichten gehalten"
    )
    page = client.get("/privacy/inactive/").content.decode()
    assert "2 Interessenten zur Löschung vorgeschlagen" in page and "100 %" in page
    proposals = {p.contact_id: p for p in InactiveProposal.objects.all()}
    assert set(proposals) == {
        old_people["quiet"].pk,
        old_people["mailed"].pk,
    }  # not the buyer, not the active

    # Keep one without a reason: refused in German; with a reason: kept.
    keep = proposals[old_people["quiet"].pk]
    page = client.post(
        "/privacy/inactive/decide/", {"keep": keep.pk, "reason": ""}, follow=True
    ).content.decode()
    assert "Sagen Sie, warum der Kontakt behalten wird." in page
    client.post("/privacy/inactive/decide/", {"keep": keep.pk, "reason": "sucht weiter"})
    keep.refresh_from_db()
    assert keep.status == "kept" and keep.reason == "sucht weiter"

    # Delete the other: its exposé evidence is held by the retention rule, the rest goes.
    mailed = proposals[old_people["mailed"].pk]
    with time_machine.travel(at(2026, 12, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/inactive/decide/", {"proposal": [mailed.pk, "x", "999999"]})
    mailed.refresh_from_db()
    assert mailed.status == "held" and mailed.erasure is not None
    assert mailed.erasure.held_until == dt.date(2027, 12, 31)
    contact = Contact.objects.get(pk=old_people["mailed"].pk)
    assert contact.restricted and contact.restricted_until == dt.date(2027, 12, 31)
    assert not contact.emails.exists()
    # A second run proposes nobody twice; the kept one only after another full period (as does the
    # one active in October 2026, by then quiet for 24 months too).
    with time_machine.travel(at(2026, 12, 6), tick=False):
        assert inactive_review(office=office)["proposed"] == 0
    with time_machine.travel(at(2028, 9, 6), tick=False):
        assert inactive_review(office=office)["proposed"] == 0
    with time_machine.travel(at(2029, 1, 6), tick=False):
        assert inactive_review(office=office)["proposed"] == 2
    again = InactiveProposal.objects.filter(status="proposed").values_list("contact_id", flat=True)
    assert set(again) == {old_people["quiet"].pk, old_people["recent"].pk}


def test_without_review_the_job_erases_and_a_free_prospect_is_anonymised(
    office: Any, admin_user: Any, old_people: dict[str, Any]
) -> None:
    PrivacySettings.objects.create(office=office, inactive_months=24, inactive_delete_automatically=True)
    with time_machine.travel(at(2026, 12, 5), tick=False):
        counts = inactive_review(office=office)
    assert counts == {"proposed": 0, "erased": 1, "held": 1}
    quiet = Contact.objects.get(pk=old_people["quiet"].pk)
    assert quiet.last_name == f"Gelöscht #{quiet.pk}" and not quiet.emails.exists()


def test_the_review_list_is_not_for_read_only_or_back_office(
    readonly_user: Any, backoffice_user: Any
) -> None:
    for user in (readonly_user, backoffice_user):
        client = Client()
        client.force_login(user)
        assert client.get("/privacy/inactive/").status_code == 403
        assert client.post("/privacy/inactive/check/").status_code == 403
