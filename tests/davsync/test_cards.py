"""vCard round trip of the address book sync: nothing the server had is lost, any bytes are read
without an exception."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.services import contact_update
from maklerwerk.davsync import cards
from tests.davsync.conftest import Book, upload_fixture
from tests.davsync.test_carddav import sync


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_any_bytes_are_read_without_an_exception(raw: bytes) -> None:
    card = cards.read(b"BEGIN:VCARD\r\n" + raw + b"\r\nEND:VCARD\r\n")
    assert card.digest and (card.broken or card.entry.data is not None)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60))
@settings(max_examples=100, deadline=None)
def test_a_note_survives_render_and_read(note: str) -> None:
    contact = Contact(last_name="Muster", remarks=note, pk=None)
    raw = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;;;;\r\nNOTE:"
        + cards.vcard._esc(note).encode()
        + b"\r\nEND:VCARD\r\n"
    )
    assert cards.read(raw).entry.data.get("remarks", "") == note.strip() or not note.strip()
    assert contact.remarks == note


@pytest.mark.django_db
def test_apple_card_keeps_addresses_phones_and_photo_through_a_maklerwerk_change(
    agent: Any, book: Book, account: Any
) -> None:
    (name,) = upload_fixture(book, "ez-vcard__John_Doe_MAC_ADDRESS_BOOK.vcf")
    sync(account)
    contact = Contact.objects.get(last_name="Doe")
    assert contact.photo and contact.city == "New York"  # the US phones do not normalise: kept on the card
    contact_update(contact=contact, acting_user=agent, data={"position": "Kassenwart"})
    assert sync(account).counts.get("updated_there") == 1
    text = book.get(name)
    unfolded = text.replace("\r\n ", "").replace("\n ", "")
    assert "TITLE:Kassenwart" in unfolded
    assert "Floor 8" in unfolded  # the second address, carried over
    assert unfolded.count("ADR") >= 2 and "PHOTO" in unfolded and "X-ABUID" in unfolded
    assert unfolded.count("TEL") >= 6
    assert sync(account).writes == 0
