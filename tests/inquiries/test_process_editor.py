"""The process editor (Prozesse): create, change, switch and delete follow-up processes in the UI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maklerwerk.inquiries.models import ProcessDefinition, ProcessInstance
from maklerwerk.inquiries.processes import definition_create
from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _post_data(name: str, steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "trigger": "expose_sent",
        "active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
    }
    for i, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{i}-{key}"] = value
    return {**data, **extra}


def test_an_admin_creates_a_process_with_steps_in_the_order_given(admin_client: Client, office: Any) -> None:
    response = admin_client.post(
        reverse("inquiries:process_create"),
        _post_data(
            "Besichtigung anbieten",
            [
                {"ORDER": "3", "kind": "set_interest_status", "status": "viewing_planned"},
                {"ORDER": "1", "kind": "wait", "days": "2", "hours": ""},
                {
                    "ORDER": "2",
                    "kind": "send_mail",
                    "subject": "Besichtigung für {{ objekt.titel }}?",
                    "body": "{{ kontakt.briefanrede }}, …",
                    "days": "9",
                },  # a field of another kind: ignored
                {"ORDER": "4", "kind": ""},  # an empty row: left out
            ],
        ),
    )
    assert response.status_code == 302
    definition = ProcessDefinition.objects.get(office=office, name="Besichtigung anbieten")
    assert [(s.kind, s.params) for s in definition.steps.all()] == [
        ("wait", {"days": 2}),
        (
            "send_mail",
            {"subject": "Besichtigung für {{ objekt.titel }}?", "body": "{{ kontakt.briefanrede }}, …"},
        ),
        ("set_interest_status", {"status": "viewing_planned"}),
    ]
    page = admin_client.get(reverse("inquiries:processes")).content.decode()
    assert "Warten: 2 Tage" in page
    assert "E-Mail „Besichtigung für {{ objekt.titel }}?“ senden" in page
    assert "Interessenstatus: Besichtigung geplant" in page


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"kind": "wait", "days": "", "hours": ""}, "Schritt 1: Wie lange warten? Tage oder Stunden fehlen."),
        ({"kind": "wait", "days": "drei"}, "Schritt 1: Tage muss eine Zahl sein."),
        ({"kind": "wait", "days": "400"}, "Schritt 1: höchstens 365 Tage warten."),
        ({"kind": "send_mail", "subject": "", "body": "Text"}, "Schritt 1: Betreff fehlt."),
        ({"kind": "create_task", "title": "  "}, "Schritt 1: Titel der Aufgabe fehlt."),
        ({"kind": "add_tag", "tag": "x" * 101}, "höchstens 100 Zeichen"),
        ({"kind": ""}, "Ein Prozess braucht mindestens einen Schritt."),
    ],
)
def test_a_step_without_what_it_needs_is_refused_with_the_reason(
    admin_client: Client, office: Any, step: dict[str, Any], message: str
) -> None:
    response = admin_client.post(reverse("inquiries:process_create"), _post_data("Kaputt", [step]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProcessDefinition.objects.filter(name="Kaputt").exists()


def test_the_api_refuses_the_same_bad_steps(admin_user: Any) -> None:
    response = api_client_for(admin_user).post(
        "/api/v1/process-definitions",
        {
            "name": "Kaputt",
            "trigger": "expose_sent",
            "steps": [{"kind": "send_mail", "params": {"body": "x"}}],
        },
    )
    assert "Schritt 1: Betreff fehlt." in assert_problem(response, 400)["detail"]


def test_editing_switching_and_deleting_a_process(admin_client: Client, office: Any, admin_user: Any) -> None:
    definition = definition_create(
        office=office,
        acting_user=admin_user,
        data={
            "name": "Alt",
            "trigger": "expose_sent",
            "steps": [{"kind": "wait", "params": {"days": 1}}, {"kind": "add_tag", "params": {"tag": "Alt"}}],
        },
    )
    edit = reverse("inquiries:process_edit", args=[definition.pk])
    page = admin_client.get(edit).content.decode()
    assert 'value="Alt"' in page and "steps-1-tag" in page
    data = _post_data(
        "Neu",
        [
            {"ORDER": "1", "kind": "wait", "days": "1"},
            {"ORDER": "2", "kind": "add_tag", "tag": "Alt", "DELETE": "on"},
        ],
        **{"steps-INITIAL_FORMS": "2"},
    )
    assert admin_client.post(edit, data).status_code == 302
    definition.refresh_from_db()
    assert definition.name == "Neu" and [s.kind for s in definition.steps.all()] == ["wait"]

    admin_client.post(reverse("inquiries:process_toggle", args=[definition.pk]))
    definition.refresh_from_db()
    assert definition.active is False
    admin_client.post(reverse("inquiries:process_toggle", args=[definition.pk]))
    definition.refresh_from_db()
    assert definition.active is True

    from tests.inquiries.conftest import contact

    kunde = contact(office, last_name="Kunde")
    ProcessInstance.objects.create(office=office, definition=definition, contact=kunde)
    response = admin_client.post(reverse("inquiries:process_delete", args=[definition.pk]), follow=True)
    assert "Bitte deaktivieren statt löschen." in response.content.decode()
    assert ProcessDefinition.objects.filter(pk=definition.pk).exists()
    ProcessInstance.objects.filter(definition=definition).delete()
    admin_client.post(reverse("inquiries:process_delete", args=[definition.pk]))
    assert not ProcessDefinition.objects.filter(pk=definition.pk).exists()


def test_only_admins_change_processes_and_only_their_office(
    agent_client: Client, admin_user: Any, outsider: Any, office: Any
) -> None:
    definition = definition_create(
        office=office,
        acting_user=admin_user,
        data={"name": "Intern", "trigger": "expose_sent", "steps": [{"kind": "wait", "params": {"days": 1}}]},
    )
    assert agent_client.get(reverse("inquiries:processes")).status_code == 200  # agents may look
    for name in ("process_toggle", "process_delete"):
        assert agent_client.post(reverse(f"inquiries:{name}", args=[definition.pk])).status_code == 403
    assert agent_client.get(reverse("inquiries:process_edit", args=[definition.pk])).status_code == 403
    other = Client()
    other.force_login(outsider)
    outsider.role = "admin"
    outsider.save()
    assert other.get(reverse("inquiries:process_edit", args=[definition.pk])).status_code == 404
    assert other.post(reverse("inquiries:process_delete", args=[definition.pk])).status_code == 404
    assert ProcessDefinition.objects.filter(pk=definition.pk, active=True).exists()
