from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import ChangeLog
from maklerwerk.tasks.models import Task
from maklerwerk.tasks.services import task_create
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_agent_creates_a_task_and_sees_it_in_the_list(agent: Any) -> None:
    client = _login(agent)
    due = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/tasks/new/", {"title": "Exposé nachfassen", "assignee": agent.pk, "due_at": due}, follow=True
    )
    html = response.content.decode()
    assert "Aufgabe angelegt" in html and "Exposé nachfassen" in html
    task = Task.objects.get()
    assert task.assignee == agent and task.due_at is not None
    assert ChangeLog.objects.filter(object_id=str(task.pk), action="create", user=agent).exists()


def test_the_form_explains_missing_titles_in_german(agent: Any) -> None:
    html = _login(agent).post("/tasks/new/", {"title": "", "assignee": agent.pk}).content.decode()
    assert "Dieses Feld ist zwingend erforderlich" in html
    assert not Task.objects.exists()


def test_ticking_a_task_marks_it_done_and_moves_it_out_of_the_open_list(agent: Any, office: Any) -> None:
    task = task_create(office=office, title="Unterlagen anfordern", assignee=agent)
    client = _login(agent)
    row = client.post(f"/tasks/{task.pk}/toggle/", headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in row.content.decode()
    task.refresh_from_db()
    assert task.is_done
    assert "Unterlagen anfordern" not in client.get("/tasks/").content.decode()
    assert "Unterlagen anfordern" in client.get("/tasks/?state=done").content.decode()


def test_overdue_tasks_are_highlighted_and_counted_on_the_dashboard(agent: Any, office: Any) -> None:
    task_create(
        office=office,
        title="Rückruf Herr Ößwald",
        assignee=agent,
        due_at=timezone.now() - dt.timedelta(hours=3),
    )
    client = _login(agent)
    assert "text-danger fw-bold" in client.get("/tasks/").content.decode()
    dashboard = client.get("/").content.decode()
    assert 'data-counter="open_tasks">1<' in dashboard and "Offene Aufgaben" in dashboard


def test_read_only_users_see_but_cannot_change_tasks(readonly_user: Any, agent: Any, office: Any) -> None:
    task = task_create(office=office, title="Besichtigung vorbereiten", assignee=agent)
    client = _login(readonly_user)
    assert "Besichtigung vorbereiten" in client.get("/tasks/").content.decode()
    assert client.post(f"/tasks/{task.pk}/toggle/").status_code == 403
    assert client.post("/tasks/new/", {"title": "x"}).status_code == 403
    task.refresh_from_db()
    assert not task.is_done


def test_tasks_of_another_office_are_invisible(agent: Any, outsider: Any, other_office: Any) -> None:
    foreign = task_create(office=other_office, title="Fremde Aufgabe", assignee=outsider)
    client = _login(agent)
    assert "Fremde Aufgabe" not in client.get("/tasks/?state=all").content.decode()
    assert client.post(f"/tasks/{foreign.pk}/toggle/").status_code == 404
    assert_problem(api_client_for(agent).get(f"/api/v1/tasks/{foreign.pk}"), 404)


def test_api_creates_lists_completes_and_deletes(api: ApiClient, agent: Any, office: Any) -> None:
    contact = Contact.objects.create(office=office, last_name="Yılmaz")
    created = api.post("/api/v1/tasks", {"title": "Finanzierung klären", "contact_id": contact.pk})
    assert created.status_code == 201
    body = created.json()
    assert body["assignee_id"] == agent.pk and body["contact_id"] == contact.pk and body["done"] is False
    assert api.get("/api/v1/tasks", {"contact_id": contact.pk}).json()["count"] == 1
    patched = api.patch(f"/api/v1/tasks/{body['id']}", {"done": True})
    assert patched.json()["done"] is True
    assert api.get("/api/v1/tasks").json()["count"] == 0
    assert api.get("/api/v1/tasks", {"state": "done"}).json()["count"] == 1
    assert api.delete(f"/api/v1/tasks/{body['id']}").status_code == 204
    assert not Task.objects.exists()


def test_api_refuses_links_to_another_offices_records(
    api: ApiClient, other_office: Any, outsider: Any
) -> None:
    foreign = Contact.objects.create(office=other_office, last_name="Fremd")
    body = assert_problem(api.post("/api/v1/tasks", {"title": "x", "contact_id": foreign.pk}), 400)
    assert body["field"] == "contact_id"
    body = assert_problem(api.post("/api/v1/tasks", {"title": "x", "assignee_id": outsider.pk}), 400)
    assert body["field"] == "assignee_id"
    assert_problem(api.post("/api/v1/tasks", {"title": ""}), 422)
    assert not Task.objects.exists()


def test_back_office_may_not_delete_tasks(backoffice_user: Any, office: Any) -> None:
    task = task_create(office=office, title="Bleibt", assignee=backoffice_user)
    assert_problem(api_client_for(backoffice_user).delete(f"/api/v1/tasks/{task.pk}"), 403)
    assert Task.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "java\tscript:alert(1)",
     "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
     "ftp://example.org/x"],
)  # fmt: skip
def test_task_links_are_http_or_a_path_of_this_site_only(agent: Any, api: ApiClient, link: str) -> None:
    from django.core.exceptions import ValidationError

    reason = "Der Link muss mit https:// oder http:// beginnen (oder ein Pfad dieser Seite sein)."
    with pytest.raises(ValidationError) as info:
        task_create(office=agent.office, title="Klick", assignee=agent, link_url=link)
    assert reason in info.value.message_dict["link_url"]
    response = api.post("/api/v1/tasks", {"title": "Klick", "link_url": link})
    assert reason in str(assert_problem(response, 422))
    assert not Task.objects.exists()


def test_safe_task_links_are_kept_and_an_old_unsafe_one_is_not_rendered(agent: Any) -> None:
    for link in ("https://portal.example.org/anfrage?id=5", "http://intranet/x", "/inquiries/5/"):
        assert task_create(office=agent.office, title="Ok", assignee=agent, link_url=link).link_url == link
    old = task_create(office=agent.office, title="Alt", assignee=agent)
    Task.objects.filter(pk=old.pk).update(link_url="javascript:alert(1)")  # stored before the check
    html = _login(agent).get("/tasks/").content.decode()
    assert "javascript:" not in html and 'href="/inquiries/5/"' in html


def test_control_characters_in_single_line_fields_are_refused_on_every_path(
    agent: Any, api: ApiClient
) -> None:
    from django.core.exceptions import ValidationError

    from maklerwerk.contacts.services import contact_create
    from maklerwerk.mailing.services import template_create
    from maklerwerk.properties.services import property_create

    with pytest.raises(ValidationError) as info:
        contact_create(office=agent.office, acting_user=agent, data={"last_name": "Müller\r\nBcc: x@evil"})
    assert info.value.message_dict["last_name"] == [
        "Nachname muss eine Zeile sein, ohne Zeilenumbrüche oder Tabulatoren."
    ]
    response = api.post("/api/v1/contacts", {"last_name": "Müller", "company_name": "ACME\nGmbH"})
    assert "muss eine Zeile sein" in str(assert_problem(response, 422))
    with pytest.raises(ValidationError) as info:
        task_create(office=agent.office, title="Rückruf\u2028morgen", assignee=agent)
    assert "title" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        property_create(
            office=agent.office,
            acting_user=agent,
            data={"external_id": "W-1", "title": "Helle\tWohnung", "object_kind": "wohnung",
                  "marketing_type": "kauf"},
        )  # fmt: skip
    assert "muss eine Zeile sein" in str(info.value.message_dict["title"])
    with pytest.raises(ValidationError) as info:
        template_create(office=agent.office, acting_user=agent, name="Nach\nfassen", body="Hallo")
    assert "name" in info.value.message_dict
    assert not Contact.objects.exists() and not Task.objects.exists()


def test_a_task_linked_to_a_contact_and_a_property_shows_both_in_the_list(agent: Any, office: Any) -> None:
    from maklerwerk.properties.services import property_create
    from tests.properties.conftest import property_data

    anna = Contact.objects.create(office=office, first_name="Anna", last_name="Weiß")
    flat = property_create(office=office, acting_user=agent, data=property_data())
    client = _login(agent)
    form = client.get("/tasks/new/", {"contact": anna.pk, "property": flat.pk}).content.decode()
    assert "Anna Weiß" in form and "W-001" in form  # pre-filled from the contact or property page
    response = client.post(
        "/tasks/new/",
        {"title": "Grundriss anfordern", "assignee": agent.pk, "priority": "high", "contact": anna.pk,
         "property": flat.pk, "next": f"/contacts/{anna.pk}/"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/contacts/{anna.pk}/"
    task = Task.objects.get()
    assert (task.contact, task.property, task.priority) == (anna, flat, "high")
    row = client.get("/tasks/").content.decode().split(f'id="task-{task.pk}"')[1]
    assert f'href="/contacts/{anna.pk}/">Anna Weiß<' in row and "W-001 Helle 3-Zimmer-Wohnung" in row
    assert "Hoch" in row
    assert api_client_for(agent).get(f"/api/v1/tasks/{task.pk}").json()["priority"] == "high"


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),  # 10:00 in Berlin
        dt.datetime(2026, 12, 4, 22, 56, tzinfo=dt.UTC),  # 23:56 in Berlin: "in 5 minutes" was tomorrow
    ],
)
def test_the_dashboard_lists_my_overdue_and_todays_tasks(
    agent: Any, office: Any, instant: dt.datetime
) -> None:
    with time_machine.travel(instant, tick=False):
        _dashboard_lists_overdue_and_todays_tasks(agent, office)


def _dashboard_lists_overdue_and_todays_tasks(agent: Any, office: Any) -> None:
    now = timezone.localtime()
    task_create(office=office, title="Exposé nachfassen", assignee=agent, due_at=now - dt.timedelta(days=1))
    today = now.replace(hour=23, minute=59, second=30)  # later today, also just before midnight
    task_create(office=office, title="Notar anrufen", assignee=agent, due_at=today, priority="high")
    task_create(office=office, title="Nächste Woche", assignee=agent, due_at=now + dt.timedelta(days=7))
    client = _login(agent)
    assert "Heute fällig und überfällig" in client.get("/").content.decode()
    widget = client.get("/tasks/due/").content.decode()
    assert "überfällig seit" in widget and "Exposé nachfassen" in widget and "Notar anrufen" in widget
    assert "Nächste Woche" not in widget
    assert widget.index("Exposé nachfassen") < widget.index("Notar anrufen")
    # Ticking one off in the card refreshes the card.
    task = Task.objects.get(title="Exposé nachfassen")
    card = client.post(f"/tasks/{task.pk}/toggle/", {"from": "widget"}, headers={"HX-Request": "true"})
    assert "Exposé nachfassen" not in card.content.decode() and "Notar anrufen" in card.content.decode()


def test_a_restricted_property_cannot_be_linked_by_someone_who_may_not_see_it(
    agent: Any, office: Any
) -> None:
    from maklerwerk.properties.services import property_create
    from tests.conftest import make_user
    from tests.properties.conftest import property_data

    flat = property_create(office=office, acting_user=agent, data=property_data(visibility="restricted"))
    colleague = make_user(office, "kollege", "agent")
    html = (
        _login(colleague)
        .post("/tasks/new/", {"title": "x", "assignee": colleague.pk, "property": flat.pk})
        .content.decode()
    )
    assert "Unbekannte Immobilie." in html and not Task.objects.exists()
