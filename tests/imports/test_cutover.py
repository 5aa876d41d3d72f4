"""The switch from the old system: the leading system per kind of data and the steps in order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import cutover
from tests.imports.test_csv_import import FLOWFACT_CSV, _run, _walk

pytestmark = pytest.mark.django_db


def test_steps_are_ticked_in_order_and_portals_wait_for_the_old_listings_to_go_offline(
    office: Any, admin_user: Any
) -> None:
    with pytest.raises(ApplicationError, match="Zuerst: „Angebote im Altsystem offline nehmen“"):
        cutover.step_set(office=office, acting_user=admin_user, key="portals_active", done=True)
    cutover.step_set(office=office, acting_user=admin_user, key="listings_offline", done=True)
    plan = cutover.step_set(office=office, acting_user=admin_user, key="portals_active", done=True)
    assert set(plan.steps) == {"listings_offline", "portals_active"}
    plan = cutover.step_set(office=office, acting_user=admin_user, key="listings_offline", done=False)
    assert plan.steps == {}  # reopening a step reopens the ones after it


def test_maklerwerk_cannot_lead_for_all_while_an_old_system_still_leads(office: Any, admin_user: Any) -> None:
    for step in cutover.STEPS[:-1]:
        cutover.step_set(office=office, acting_user=admin_user, key=step.key, done=True)
    cutover.leading_set(
        office=office, acting_user=admin_user, kind="contacts", system="flowfact", since=dt.date(2026, 1, 1)
    )
    with pytest.raises(ApplicationError, match="Das Altsystem führt noch für: Kontakte"):
        cutover.step_set(office=office, acting_user=admin_user, key="maklerwerk_leads", done=True)


def test_once_maklerwerk_leads_a_reimport_no_longer_overwrites_contacts(
    office: Any, agent: Any, admin_user: Any
) -> None:
    _walk(_run(office, agent), agent, dry_run=False)
    cutover.leading_set(
        office=office, acting_user=admin_user, kind="contacts", system="maklerwerk", since=dt.date(2026, 1, 1)
    )
    changed = FLOWFACT_CSV.replace(b"10115;Berlin", b"10117;Berlin")
    report = _walk(_run(office, agent, raw=changed), agent, dry_run=False)
    assert report["counts"]["updated"] == 0 and report["counts"]["skipped"] == 1
    row = next(r for r in report["rows"] if r["status"] == "skipped")
    assert (
        row["reason"] == "Maklerwerk führt für Kontakte seit 01.01.2026; nicht vom Altsystem überschrieben."
    )
    assert Contact.objects.get(last_name="Groß").postal_code == "10115"


def test_the_page_saves_the_leading_systems_and_only_administrators_see_it(
    office: Any, admin_user: Any, agent_client: Client
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/imports/cutover/", {"system_properties": "onoffice", "since_properties": "2026-11-01"}
    )
    assert response.status_code == 302
    page = client.get("/imports/cutover/").content.decode()
    assert "Angebote im Altsystem offline nehmen" in page and '<option value="onoffice" selected>' in page
    assert cutover.plan_get(office).leading["properties"] == {"system": "onoffice", "since": "2026-11-01"}
    refused = client.post("/imports/cutover/", {"step": "mailboxes_moved", "done": "1"})
    assert refused.status_code == 422 and "Zuerst:" in refused.content.decode()
    assert agent_client.get("/imports/cutover/").status_code == 403
