from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from tests.conftest import make_user
from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = pytest.mark.django_db


def test_dubletten_page_lists_groups_after_the_search(
    agent_client: Client, office: Any, mueller: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post("/duplicates/search/")
    page = agent_client.get("/duplicates/").content.decode()
    assert "Dubletten" in page and "Name klingt gleich (Kölner Phonetik)" in page
    assert f"/duplicates/merge/{mueller.pk}/" in page


def test_merge_page_shows_both_sides_and_merging_keeps_activities(
    agent_client: Client, office: Any, mueller: Any
) -> None:
    other = make_contact(office, **{**MUELLER, "last_name": "Mueller", "birth_date": "1970-03-21"})
    Activity.objects.create(office=office, type="call", subject="Anruf", contact=other)
    page = agent_client.get(f"/duplicates/merge/{mueller.pk}/{other.pk}/").content.decode()
    assert "Müller" in page and "Mueller" in page and "table-warning" in page
    response = agent_client.post(f"/duplicates/merge/{mueller.pk}/{other.pk}/", {"field_last_name": "a"})
    assert response.status_code == 302
    assert Activity.objects.get().contact_id == mueller.pk
    assert not Contact.objects.filter(pk=other.pk).exists()


def test_merge_page_refuses_other_offices_and_roles_without_delete(
    agent_client: Client, office: Any, other_office: Any, mueller: Any
) -> None:
    foreign = make_contact(other_office, **MUELLER)
    assert agent_client.get(f"/duplicates/merge/{mueller.pk}/{foreign.pk}/").status_code == 404
    client = Client()
    client.force_login(make_user(office, "bo", "backoffice"))
    assert client.get(f"/duplicates/merge/{mueller.pk}/{mueller.pk}/").status_code == 403


def test_only_managers_change_thresholds(agent_client: Client, admin_user: Any, office: Any) -> None:
    from maklerwerk.duplicates.services import duplicate_settings_get

    defaults = duplicate_settings_get(office=office)
    before = (defaults.certain_threshold, defaults.possible_threshold)
    assert before != (0.8, 0.4)
    refused = agent_client.post(
        "/duplicates/settings/", {"certain_threshold": "0.8", "possible_threshold": "0.4"}
    )
    assert refused.status_code == 403
    unchanged = duplicate_settings_get(office=office)
    assert (unchanged.certain_threshold, unchanged.possible_threshold) == before
    admin = Client()
    admin.force_login(admin_user)
    page = admin.post(
        "/duplicates/settings/", {"certain_threshold": "0.8", "possible_threshold": "0.4"}, follow=True
    )
    assert "Schwellen gespeichert" in page.content.decode()
    assert 'value="0.4"' in page.content.decode()
    saved = duplicate_settings_get(office=office)
    assert (saved.certain_threshold, saved.possible_threshold) == (0.8, 0.4)
