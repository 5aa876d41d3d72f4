"""Finding the user's collections on the server, and choosing which contacts sync (Radicale)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maklerwerk.davsync import services
from maklerwerk.davsync.models import DavAccount, DavItem, SyncFlag
from tests.conftest import make_user
from tests.davsync.conftest import Book
from tests.davsync.test_carddav import make_contact, sync

pytestmark = pytest.mark.django_db


def test_a_server_address_finds_the_address_book_and_the_account_uses_it(
    agent: Any, agent_client: Any, dav_server: dict[str, str]
) -> None:
    """GIVEN a user who has one address book on the server
    WHEN they connect with only the server's address
    THEN the principal and its home set are found and the account uses that address book."""
    other = {**dav_server, "user": "other"}
    book = Book(other, "kontakte-other")
    response = agent_client.post(
        reverse("davsync:accounts"),
        {"kind": "carddav", "url": dav_server["url"], "username": "other", "password": "secret",
         "scope": "flagged", "conflict_rule": "maklerwerk_wins"},
        follow=True,
    )  # fmt: skip
    account = DavAccount.objects.get(user=agent)
    assert account.url == book.url
    page = response.content.decode()
    assert "kontakte-other“. Bitte vor der ersten Synchronisierung die Vorschau prüfen." in page


def test_several_calendars_are_offered_and_one_is_chosen(
    agent: Any, agent_client: Any, dav_server: dict[str, str]
) -> None:
    session = Book(dav_server, "adressen-1").session
    calendars = []
    for name in ("privat-kal", "buero-kal"):
        url = f"{dav_server['url']}agent/{name}-{DavAccount.objects.count()}/"
        body = (
            '<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
            f"<D:displayname>{name}</D:displayname></D:prop></D:set></D:mkcol>"
        )
        assert session.request("MKCOL", url, data=body).status_code == 201
        calendars.append(url)
    response = agent_client.post(
        reverse("davsync:accounts"),
        {"kind": "caldav", "url": dav_server["url"] + "agent/", "username": "agent", "password": "secret",
         "scope": "flagged", "conflict_rule": "maklerwerk_wins"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Der Server bietet mehrere Sammlungen" in page
    assert "privat-kal" in page and "buero-kal" in page
    assert "adressen-1" not in page  # an address book is not offered as a calendar
    account = DavAccount.objects.get(user=agent)
    response = agent_client.post(
        reverse("davsync:account", args=[account.pk]), {"choose": calendars[1]}, follow=True
    )
    account.refresh_from_db()
    assert account.url == calendars[1]
    assert "Sammlung gewählt" in response.content.decode()
    # an address the server did not offer is refused
    response = agent_client.post(
        reverse("davsync:account", args=[account.pk]), {"choose": "http://10.0.0.1/evil/"}, follow=True
    )
    account.refresh_from_db()
    assert account.url == calendars[1]
    assert "nicht vom Server angeboten" in response.content.decode()


def test_wrong_password_while_searching_says_so_in_german(
    agent: Any, agent_client: Any, dav_server: dict[str, str]
) -> None:
    account = services.dav_account_create(
        user=agent,
        data={"kind": "carddav", "url": dav_server["url"], "username": "agent", "password": "falsch"},
    )
    response = agent_client.get(reverse("davsync:account", args=[account.pk]) + "?discover=1")
    assert "Benutzername oder Passwort abgelehnt" in response.content.decode()


def test_contacts_and_a_whole_tag_are_marked_for_the_address_book_and_synced(
    office: Any, agent: Any, agent_client: Any, book: Book, account: Any
) -> None:
    anna = make_contact(agent, first_name="Anna", last_name="Becker", emails=[{"value": "anna@example.org"}])
    ben = make_contact(agent, first_name="Ben", last_name="Käufer", tags=["Käufer"])
    cem = make_contact(agent, first_name="Cem", last_name="Käufer", tags=["Käufer"])
    make_contact(agent, first_name="Dora", last_name="Privat")
    foreign = make_contact(
        make_user(office.__class__.objects.create(name="Fremd"), "fremd", "agent"), last_name="Fremd"
    )
    url = reverse("davsync:account_contacts", args=[account.pk])
    agent_client.post(url, {"contacts": [anna.pk, foreign.pk]})
    tag_id = ben.tags.get().pk
    response = agent_client.post(url, {"tag": tag_id, "action": "add"}, follow=True)
    page = response.content.decode()
    assert "2 Kontakte werden synchronisiert." in page
    assert "3 Kontakte sind für dieses Adressbuch markiert." in page
    marked = SyncFlag.objects.filter(account=account, enabled=True).values_list("contact_id", flat=True)
    assert set(marked) == {anna.pk, ben.pk, cem.pk}
    sync(account)
    assert len(book.listing()) == 3
    agent_client.post(url, {"contacts": [cem.pk], "action": "remove"})
    sync(account)
    assert len(book.listing()) == 2  # unmarked: its card leaves the address book, the contact stays
    assert DavItem.objects.filter(account=account).count() == 2
    for _ in range(2):
        report = sync(account)
        assert not any(report.counts.values()), report.counts
    response = agent_client.post(url, {"contacts": []}, follow=True)
    assert "Wählen Sie mindestens einen Kontakt." in response.content.decode()
