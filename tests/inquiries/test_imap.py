"""The IMAP adapter against a real Dovecot on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.integrations.imap.client import ImapClient, ImapError, check_connection
from tests.inquiries.conftest import deliver, fixture_mail, free_port, imap_settings_for


def test_it_fetches_marks_and_moves_messages(imap_account: dict[str, Any]) -> None:
    deliver(imap_account, fixture_mail("immowelt_html_only.eml"), fixture_mail("kleinanzeigen_anfrage.eml"))
    with ImapClient(imap_settings_for(imap_account)) as imap:
        uids = imap.unprocessed_uids()
        assert len(uids) == 2
        fetched = dict(imap.fetch(uids))
        assert b"jonas.weber@example.com" in fetched[uids[0]]
        imap.mark_processed([uids[0]])
        imap.move([uids[1]], "Maklerwerk/Verarbeitet")
        assert imap.unprocessed_uids() == []
        assert imap.uid_validity > 0
    with ImapClient(imap_settings_for(imap_account, folder="Maklerwerk.Verarbeitet")) as moved:
        assert len(moved.unprocessed_uids()) == 0  # carries the processed keyword there too
    assert check_connection(imap_settings_for(imap_account)) == 0


def test_wrong_credentials_are_a_permanent_error(imap_account: dict[str, Any]) -> None:
    settings = imap_settings_for({**imap_account, "password": "falsch"})
    with pytest.raises(ImapError) as exc:
        check_connection(settings)
    assert exc.value.permanent
    assert exc.value.message == "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch."


def test_an_unreachable_server_is_a_temporary_error(imap_account: dict[str, Any]) -> None:
    settings = imap_settings_for({**imap_account, "port": free_port()})
    with pytest.raises(ImapError) as exc:
        check_connection(settings)
    assert not exc.value.permanent
    assert "nicht erreichbar" in exc.value.message


def test_a_missing_folder_is_reported(imap_account: dict[str, Any]) -> None:
    with pytest.raises(ImapError) as exc:
        check_connection(imap_settings_for(imap_account, folder="Anfragen"))
    assert exc.value.message == "Ordner „Anfragen“ gibt es in diesem Postfach nicht."


def test_a_folder_with_umlauts_is_read_and_moved_to(imap_account: dict[str, Any]) -> None:
    """A folder named like Outlook's German drafts ("Anfragen/Entwürfe") is selected, read and moved
    to (imaplib alone raised UnicodeEncodeError on such a name)."""
    with ImapClient(imap_settings_for(imap_account)) as imap:
        imap.create_folder("Anfragen/Entwürfe")
        imap.append(fixture_mail("immowelt_html_only.eml"), "Anfragen/Entwürfe")
    settings = imap_settings_for(imap_account, folder="Anfragen/Entwürfe")
    assert check_connection(settings) == 1
    with ImapClient(settings) as imap:
        [(uid, raw)] = list(imap.fetch(imap.unprocessed_uids()))
        assert b"jonas.weber@example.com" in raw
        imap.move([uid], "Anfragen/Erledigt – Übernommen")
        assert imap.unprocessed_uids() == []
    with ImapClient(imap_settings_for(imap_account, folder="Anfragen/Erledigt – Übernommen")) as moved:
        assert moved.uid_validity > 0
    with pytest.raises(ImapError) as exc:
        check_connection(imap_settings_for(imap_account, folder="Anfragen/Gelöscht"))
    assert exc.value.message == "Ordner „Anfragen/Gelöscht“ gibt es in diesem Postfach nicht."
