"""History tabs are paged: the newest entries first, then "Ältere Einträge anzeigen" a page at a
time, so an object with thousands of entries opens as fast as a new one and none is out of reach."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maklerwerk.core.history_display import HISTORY_PAGE
from maklerwerk.core.models import ChangeLog
from tests.conftest import make_user
from tests.contacts.conftest import make_contact
from tests.properties.conftest import property_data

pytestmark = pytest.mark.django_db


def _notes(instance: Any, count: int, *, same_time: int = 0) -> None:
    """`count` history entries noting "Eintrag 0" (oldest) … "Eintrag N" (newest), a minute apart;
    the last `same_time` of them share one timestamp (the order among them is the id's)."""
    start = timezone.now() - dt.timedelta(days=1)
    ct = ContentType.objects.get_for_model(instance)
    # What the object's creation wrote goes before them all.
    earlier = start - dt.timedelta(days=1)
    ChangeLog.objects.filter(content_type=ct, object_id=str(instance.pk)).update(at=earlier)
    ChangeLog.objects.bulk_create(
        ChangeLog(
            office_id=instance.office_id,
            content_type=ct,
            object_id=str(instance.pk),
            action="update",
            note=f"Eintrag {i}",
            at=start + dt.timedelta(minutes=min(i, count - same_time)),
        )
        for i in range(count)
    )


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Eintrag (\d+)<", html)]


def _older_link(html: str) -> str | None:
    m = re.search(r'hx-get="([^"]+)"[^>]*>Ältere Einträge anzeigen', html)
    return m.group(1).replace("&amp;", "&") if m else None


def _walk(client: Client, page_html: str) -> list[int]:
    """Every entry the tab reaches: the first page, then each older page the button loads."""
    seen = _shown(page_html)
    link = _older_link(page_html)
    while link:
        response = client.get(link, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert "<table" not in html  # rows for the existing table, not a second table
        seen += _shown(html)
        link = _older_link(html)
    return seen


def test_a_contact_with_many_changes_shows_the_newest_and_reaches_every_older_one(
    office: Any, agent: Any, agent_client: Client
) -> None:
    contact = make_contact(office, agent, first_name="Erika")
    total = 2 * HISTORY_PAGE + 30
    _notes(contact, total, same_time=HISTORY_PAGE + 5)  # a page boundary inside equal timestamps
    html = agent_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    first = _shown(html)
    assert first == list(range(total - 1, total - 1 - HISTORY_PAGE, -1))  # newest first, one page
    assert _older_link(html)
    # Each entry exactly once, newest to oldest (the creation entry of make_contact is the oldest).
    assert _walk(agent_client, html) == list(range(total - 1, -1, -1))


def test_a_short_history_has_no_button_and_an_empty_one_says_so(
    office: Any, agent: Any, agent_client: Client
) -> None:
    contact = make_contact(office, agent)
    _notes(contact, 3)
    html = agent_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert _shown(html) == [2, 1, 0]
    assert "Ältere Einträge anzeigen" not in html
    ChangeLog.objects.filter(object_id=str(contact.pk)).delete()
    html = agent_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Noch keine Änderungen aufgezeichnet." in html or "No changes recorded yet." in html


def test_a_property_and_a_search_profile_page_their_history_too(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.matching.services import search_profile_create
    from maklerwerk.properties.services import property_create

    prop = property_create(office=office, acting_user=agent, data=property_data())
    _notes(prop, HISTORY_PAGE + 7)
    html = agent_client.get(reverse("properties:detail", args=[prop.pk])).content.decode()
    assert _walk(agent_client, html) == list(range(HISTORY_PAGE + 6, -1, -1))

    contact = make_contact(office, agent)
    profile = search_profile_create(
        acting_user=agent, contact=contact, data={"name": "Wohnung Köln", "marketing_type": "kauf"}
    )
    _notes(profile, HISTORY_PAGE + 2)
    html = agent_client.get(reverse("properties:profile_edit", args=[profile.pk])).content.decode()
    assert _walk(agent_client, html)[: HISTORY_PAGE + 2] == list(range(HISTORY_PAGE + 1, -1, -1))


def test_older_pages_answer_only_who_may_see_the_object(
    office: Any, other_office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.properties.services import property_create

    contact = make_contact(office, agent)
    _notes(contact, HISTORY_PAGE + 1)
    entry = ChangeLog.objects.filter(object_id=str(contact.pk)).order_by("at", "pk")[5]
    url = reverse("contacts:history", args=[contact.pk])
    stranger = Client()
    stranger.force_login(make_user(other_office, "fremd", "admin"))
    assert stranger.get(url, {"before": entry.pk}).status_code == 404  # another office's contact

    owner = make_user(office, "inhaberin", "agent")
    secret = property_create(
        office=office, acting_user=owner,
        data=property_data(external_id="G-1", visibility="restricted", responsible_agent=owner),
    )  # fmt: skip
    _notes(secret, HISTORY_PAGE + 1)
    hidden_entry = ChangeLog.objects.filter(object_id=str(secret.pk)).order_by("at", "pk")[5]
    url = reverse("properties:history", args=[secret.pk])
    assert agent_client.get(url, {"before": hidden_entry.pk}).status_code == 404  # restricted to its agent
    owner_client = Client()
    owner_client.force_login(owner)
    assert _shown(owner_client.get(url, {"before": hidden_entry.pk}).content.decode())


def test_a_before_that_names_nothing_of_this_object_is_a_404(
    office: Any, agent: Any, agent_client: Client
) -> None:
    mine, other = make_contact(office, agent), make_contact(office, agent, last_name="Schmidt")
    _notes(other, 3)
    foreign_entry = ChangeLog.objects.filter(object_id=str(other.pk)).first()
    url = reverse("contacts:history", args=[mine.pk])
    for before in [str(foreign_entry.pk), "abc", "99999999"]:  # type: ignore[union-attr]  # exists
        response = agent_client.get(url, {"before": before})
        assert response.status_code == 404, before
