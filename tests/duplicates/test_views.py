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


def test_the_progress_of_a_finished_search_brings_the_page_back_with_its_groups(
    agent_client: Client, office: Any, mueller: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The page polled the progress while the search ran; when it is done the groups must appear,
    # not "Keine wahrscheinlichen Dubletten gefunden." under a finished bar.
    from maklerwerk.core.models import Job

    make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post("/duplicates/search/")
    job = Job.objects.get(kind="duplicates.search")
    response = agent_client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 286 and response["HX-Redirect"] == "/duplicates/"


def test_merge_page_shows_both_sides_and_merging_keeps_activities(
    agent_client: Client, office: Any, mueller: Any
) -> None:
    other = make_contact(office, **{**MUELLER, "last_name": "Mueller", "birth_date": "1970-03-21"})
    Activity.objects.create(office=office, type="call", subject="Anruf", contact=other)
    page = agent_client.get(f"/duplicates/merge/{mueller.pk}/{other.pk}/").content.decode()
    assert "Müller" in page and "Mueller" in page and "table-warning" in page
    assert "0221 1234567" in page and "+492211234567" not in page  # phones as people write them
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


WELLMANN: dict[str, Any] = {
    "first_name": "Katharina",
    "last_name": "Wellmann",
    "street": "Schillerstraße",
    "house_number": "4",
    "postal_code": "60313",
    "city": "Frankfurt am Main",
}
TYPO: dict[str, Any] = {
    **WELLMANN,
    "first_name": "Katarina",
    "last_name": "Welmann",
    "street": "Schillerstr.",
    "city": "Frankfurt",
}


def _checked(page: str, field: str) -> str:
    """Which side's radio of a field is checked in the merge preview ('a' or 'b')."""
    import re

    found = re.findall(rf'name="field_{field}" value="(a|b)" checked', page)
    assert len(found) == 1, field
    return found[0]


def test_merge_preview_keeps_the_good_record_and_the_merge_can_be_undone(
    agent_client: Client, office: Any, agent: Any
) -> None:
    good = make_contact(office, emails=("k.wellmann@example.de",), **WELLMANN)
    typo = make_contact(office, emails=("katarina@example.org",), **TYPO)
    Activity.objects.create(office=office, type="call", subject="Anruf wegen Besichtigung", contact=typo)

    # Opened from the typo's side, the preview still keeps the older, good record.
    response = agent_client.get(f"/duplicates/merge/{typo.pk}/{good.pk}/")
    assert response.status_code == 302 and response["Location"] == (
        f"/duplicates/merge/{good.pk}/{typo.pk}/?keep={good.pk}"
    )
    page = agent_client.get(response["Location"]).content.decode()
    assert "Katharina Wellmann</strong> (angelegt am" in page and "bleibt" in page
    assert "4 Felder unterscheiden sich" in page and "30 Tage lang rückgängig" in page
    for field in ("first_name", "last_name", "street", "city"):
        assert _checked(page, field) == "a", field
    assert "Schillerstr." in page and "Frankfurt am Main" in page

    # The agent flips nothing but the first name's typo stays out; merge, then look at the summary.
    merged = agent_client.post(f"/duplicates/merge/{good.pk}/{typo.pk}/", {"field_first_name": "a"})
    assert merged.status_code == 302 and merged["Location"].startswith("/duplicates/merges/")
    summary = agent_client.get(merged["Location"]).content.decode()
    assert "Kontakte zusammengeführt. Hier können Sie es rückgängig machen." in summary
    assert "<td>Schillerstraße</td>" in summary and "<s>Schillerstr.</s>" in summary
    assert "Möglich bis" in summary and "Rückgängig machen" in summary
    good.refresh_from_db()
    assert (good.first_name, good.street, good.city) == ("Katharina", "Schillerstraße", "Frankfurt am Main")
    assert Activity.objects.get().contact_id == good.pk

    # The Historie tab: German labels, a readable summary of the merged record, a link to undo.
    contact_page = agent_client.get(f"/contacts/{good.pk}/").content.decode()
    assert "Zusammengeführter Kontakt" in contact_page and "Details / rückgängig machen" in contact_page
    assert (
        "Nachname: Welmann" in contact_page
        and "{'" not in contact_page
        and "merge_record" not in contact_page
    )
    assert "Letzte Zusammenführungen" in agent_client.get("/duplicates/").content.decode()

    undone = agent_client.post(merged["Location"] + "undo/", follow=True).content.decode()
    assert "Zusammenführung rückgängig gemacht: Katharina Wellmann und Katarina Welmann" in undone
    assert "wurde bereits rückgängig gemacht" in undone  # and it cannot be undone twice
    restored = Contact.objects.get(pk=typo.pk)
    assert (restored.first_name, restored.street, restored.city) == ("Katarina", "Schillerstr.", "Frankfurt")
    assert restored.emails.get().value == "katarina@example.org"
    assert Activity.objects.get().contact_id == typo.pk
    assert good.emails.get().value == "k.wellmann@example.de"


def test_undo_refused_after_an_edit_says_why_and_changes_nothing(
    agent_client: Client, office: Any, agent: Any
) -> None:
    from maklerwerk.contacts.services import contact_update

    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    merged = agent_client.post(f"/duplicates/merge/{good.pk}/{typo.pk}/")
    contact_update(contact=Contact.objects.get(pk=good.pk), acting_user=agent, data={"city": "Offenbach"})
    page = agent_client.post(merged["Location"] + "undo/", follow=True).content.decode()
    assert "wurde nach der Zusammenführung bearbeitet" in page
    assert not Contact.objects.filter(pk=typo.pk).exists()
    assert Contact.objects.get(pk=good.pk).city == "Offenbach"


def test_undo_needs_the_right_to_delete_and_the_same_office(
    agent_client: Client, office: Any, other_office: Any, agent: Any
) -> None:
    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    location = agent_client.post(f"/duplicates/merge/{good.pk}/{typo.pk}/")["Location"]
    backoffice = Client()
    backoffice.force_login(make_user(office, "bo", "backoffice"))
    assert "Nur wer Kontakte löschen darf" in backoffice.get(location).content.decode()
    assert backoffice.post(location + "undo/").status_code == 403
    stranger = Client()
    stranger.force_login(make_user(other_office, "fremd", "admin"))
    assert stranger.get(location).status_code == 404
    assert stranger.post(location + "undo/").status_code == 404
    assert not Contact.objects.filter(pk=typo.pk).exists()


def test_merge_page_names_every_moved_table_in_german(
    agent_client: Client, office: Any, mueller: Any
) -> None:
    other = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    shared = Activity.objects.create(office=office, type="meeting", subject="Termin", contact=mueller)
    shared.further_contacts.add(other)
    page = agent_client.get(f"/duplicates/merge/{mueller.pk}/{other.pk}/").content.decode()
    assert "Aktivitäten: weitere Kontakte" in page and "Beziehungen" not in page
