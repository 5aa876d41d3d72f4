"""Logging activities in the UI: the form (htmx and plain), the timeline, edit and delete with history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.core.models import Activity, ChangeLog
from tests.conftest import api_client_for, make_user
from tests.contacts.conftest import make_contact
from tests.properties.conftest import property_data

HX = {"HX-Request": "true"}


@pytest.fixture
def anna(office: Any, agent: Any) -> Any:
    return make_contact(
        office, agent, first_name="Anna", last_name="Müller", phones=[{"value": "069 1234567"}]
    )


@pytest.fixture
def bernd(office: Any, agent: Any) -> Any:
    return make_contact(office, agent, first_name="Bernd", last_name="Müller")


@pytest.fixture
def flat(office: Any, agent: Any) -> Any:
    from maklerwerk.properties.services import property_create

    return property_create(office=office, acting_user=agent, data=property_data())


def _log(client: Client, **data: Any) -> Any:
    data.setdefault("type", "call")
    data.setdefault("occurred_at", "2026-11-03T09:30")
    return client.post("/activities/new/", data, headers=HX)


@pytest.mark.django_db
def test_a_call_logged_for_a_couple_shows_on_both_contacts_and_the_property(
    agent_client: Client, anna: Any, bernd: Any, flat: Any
) -> None:
    form = agent_client.get("/activities/new/", {"contact": anna.pk}, headers=HX).content.decode()
    assert "Aktivität erfassen" in form and "Anna Müller" in form  # the contact is preselected
    assert 'data-bs-dismiss="modal" aria-label="Schließen"' in form  # the modal's ×
    response = _log(
        agent_client,
        contacts=[anna.pk, bernd.pk],
        property=flat.pk,
        body="Rückruf: Finanzierung steht, Besichtigung am Samstag gewünscht.\nBank: Sparkasse",
    )
    assert response.status_code == 204 and "activity-saved" in response["HX-Trigger"]
    activity = Activity.objects.get()
    assert activity.subject == "Rückruf: Finanzierung steht, Besichtigung am Samstag gewünscht."
    assert activity.contact == anna and list(activity.further_contacts.all()) == [bernd]
    for scope in ({"contact": anna.pk}, {"contact": bernd.pk}, {"property": flat.pk}):
        page = agent_client.get("/activities/", scope).content.decode()
        assert "Finanzierung steht" in page and "Bank: Sparkasse" in page and "Telefonat" in page
    assert "Finanzierung steht" in agent_client.get(f"/activities/property/{flat.pk}/").content.decode()
    assert "Finanzierung steht" in agent_client.get("/").content.decode()  # the dashboard


@pytest.mark.django_db
def test_an_empty_entry_is_refused_in_german_and_nothing_is_saved(agent_client: Client, anna: Any) -> None:
    page = _log(agent_client, contacts=[anna.pk], subject="  ", body="").content.decode()
    assert "Bitte schreiben Sie, was passiert ist" in page
    assert 'value="2026-11-03T09:30"' in page and "Anna Müller" in page  # what was entered stays
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_without_javascript_the_form_is_a_page_that_returns_to_the_contact(
    agent_client: Client, anna: Any
) -> None:
    page = agent_client.get("/activities/new/", {"contact": anna.pk}).content.decode()
    assert "<html" in page and "Aktivität erfassen" in page
    # A page of its own: no modal ×, one heading.
    assert "btn-close" not in page and page.count("Aktivität erfassen</h") == 1
    response = agent_client.post(
        "/activities/new/",
        {"type": "note", "occurred_at": "2026-11-03T09:30", "contacts": [anna.pk], "body": "Notiz",
         "next": f"/contacts/{anna.pk}/#activities"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/contacts/{anna.pk}/#activities"


@pytest.mark.django_db
def test_edit_and_delete_keep_the_history(agent_client: Client, anna: Any, agent: Any) -> None:
    _log(agent_client, contacts=[anna.pk], subject="Telefonat", body="Interesse an Westend")
    activity = Activity.objects.get()
    response = agent_client.post(
        f"/activities/{activity.pk}/",
        {"type": "viewing", "occurred_at": "2026-11-04T15:00", "contacts": [anna.pk],
         "subject": "Besichtigung", "body": "Interesse an Westend, Balkon zu klein"},
        headers=HX,
    )  # fmt: skip
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.type == "viewing" and activity.body.endswith("Balkon zu klein")
    form = agent_client.get(f"/activities/{activity.pk}/", headers=HX).content.decode()
    assert "Verlauf dieses Eintrags" in form and "Interesse an Westend, Balkon zu klein" in form
    agent_client.post(f"/activities/{activity.pk}/delete/", headers=HX)
    assert not Activity.objects.exists()
    logs = ChangeLog.objects.filter(content_type__model="activity", object_id=str(activity.pk))
    actions = list(logs.values_list("action", flat=True))
    assert actions == ["delete", "update", "create"]
    deleted = logs.get(action="delete")
    assert {"field": "subject", "old": "Besichtigung", "new": None} in deleted.changes


@pytest.mark.django_db
def test_the_timeline_filters_by_kind_dates_and_text(agent_client: Client, anna: Any) -> None:
    _log(agent_client, contacts=[anna.pk], type="call", occurred_at="2026-10-01T10:00", body="Rückruf Bank")
    _log(
        agent_client, contacts=[anna.pk], type="viewing", occurred_at="2026-11-05T10:00", body="Besichtigung"
    )
    _log(
        agent_client,
        contacts=[anna.pk],
        type="note",
        occurred_at="2026-11-20T10:00",
        body="Energieausweis fehlt",
    )

    def shown(**filters: Any) -> set[str]:
        page = agent_client.get(
            "/activities/", {"contact": anna.pk, **filters}, headers={**HX, "HX-Target": "timeline-list"}
        ).content.decode()
        return {s for s in ("Rückruf Bank", "Besichtigung", "Energieausweis fehlt") if s in page}

    assert shown(type="viewing") == {"Besichtigung"}
    assert shown(date_from="2026-11-01", date_to="2026-11-05") == {"Besichtigung"}
    assert shown(q="energieausweis") == {"Energieausweis fehlt"}
    assert shown() == {"Rückruf Bank", "Besichtigung", "Energieausweis fehlt"}
    assert (
        "Keine Aktivitäten entsprechen dem Filter"
        in agent_client.get("/activities/", {"contact": anna.pk, "q": "Grundbuch"}).content.decode()
    )


@pytest.mark.django_db
def test_a_restricted_property_and_its_activities_stay_hidden(
    office: Any, agent: Any, anna: Any, flat: Any
) -> None:
    from maklerwerk.properties.services import property_update

    property_update(prop=flat, acting_user=agent, data={"visibility": "restricted"}, viewers=[])
    _log_as_agent = Client()
    _log_as_agent.force_login(agent)
    assert (
        _log(_log_as_agent, contacts=[anna.pk], property=flat.pk, body="Preisverhandlung").status_code == 204
    )
    colleague = make_user(office, "kollege", "agent")
    client = Client()
    client.force_login(colleague)
    assert "Preisverhandlung" not in client.get("/activities/", {"contact": anna.pk}).content.decode()
    assert client.get("/activities/", {"property": flat.pk}).status_code == 404
    page = _log(client, contacts=[anna.pk], property=flat.pk, body="Versuch").content.decode()
    assert "Unbekannte Immobilie." in page and Activity.objects.count() == 1
    assert client.get("/activities/property-lookup/", {"q": "W-001"}).json() == {"results": []}
    assert api_client_for(colleague).get(f"/api/v1/activities/{Activity.objects.get().pk}").status_code == 404


@pytest.mark.django_db
def test_read_only_users_see_the_timeline_but_cannot_log(
    readonly_user: Any, anna: Any, agent_client: Client
) -> None:
    _log(agent_client, contacts=[anna.pk], body="Notiz")
    client = Client()
    client.force_login(readonly_user)
    page = client.get("/activities/", {"contact": anna.pk}).content.decode()
    assert "Notiz" in page and "Aktivität erfassen" not in page
    assert _log(client, contacts=[anna.pk], body="x").status_code == 403


@pytest.mark.django_db
def test_api_changes_and_deletes_an_activity_through_the_same_service(
    api: Any, anna: Any, bernd: Any
) -> None:
    created = api.post(
        "/api/v1/activities",
        {
            "type": "meeting",
            "subject": "Notartermin",
            "contact_id": anna.pk,
            "further_contact_ids": [bernd.pk],
        },
    )
    assert created.status_code == 201 and created.json()["further_contact_ids"] == [bernd.pk]
    pk = created.json()["id"]
    changed = api.patch(f"/api/v1/activities/{pk}", {"body": "Termin verschoben auf 14 Uhr"})
    assert changed.status_code == 200 and changed.json()["body"] == "Termin verschoben auf 14 Uhr"
    assert [
        a["id"]
        for a in api.get("/api/v1/activities", {"contact_id": bernd.pk, "q": "verschoben"}).json()["items"]
    ] == [pk]
    assert api.delete(f"/api/v1/activities/{pk}").status_code == 204
    assert ChangeLog.objects.filter(content_type__model="activity", object_id=str(pk)).count() == 3
