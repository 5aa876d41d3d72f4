"""Tour registrations that a provider mails in its own format: one parser per provider (immoviewer,
Ogulo, a generic one), feeding the same inquiry intake as the tour page (source "Rundgang").
Hypothesis: whatever the prospect typed comes back as typed, the same mail always reads the same,
and no input makes a parser lose the mail."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maklerwerk.inquiries.handler import fetch_all
from maklerwerk.inquiries.models import Inquiry, Mailbox
from maklerwerk.inquiries.parsers import parse_message
from tests.inquiries.conftest import deliver, make_property

IMMOVIEWER_ID = "Xk29-ab_7Q"
OGULO_ID = "kx8d2fq1"

names = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x17F), min_size=2, max_size=20
)
emails = st.builds(
    lambda user, host: f"{user}@{host}.de",
    st.from_regex(r"[a-z][a-z0-9._-]{0,15}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,12}[a-z]", fullmatch=True),
)
phones = st.from_regex(r"\+49 [1-9][0-9]{2,4} [0-9]{4,8}", fullmatch=True)
tour_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{5,20}", fullmatch=True)


def immoviewer_mail(first: str, last: str, email: str, phone: str, tour_id: str, kennung: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = "immoviewer <noreply@immoviewer.com>"
    msg["To"] = "anfragen@testbuero.example"
    msg["Subject"] = "Neue Registrierung für Ihre Tour"
    msg["Message-ID"] = make_msgid(domain="immoviewer.com")
    lines = [
        "Hallo,",
        "",
        "ein Besucher hat sich für Ihre Tour registriert:",
        "",
        f"Name: {first} {last}",
        f"E-Mail: {email}",
        f"Telefon: {phone}",
    ]
    if kennung:
        lines.append(f"Objektnummer: {kennung}")
    lines += ["", f"Tour: https://app.immoviewer.com/tour/{tour_id}", "", "Ihr immoviewer-Team"]
    msg.set_content("\n".join(lines))
    return bytes(msg)


def ogulo_mail(first: str, last: str, email: str, phone: str, tour_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ogulo <leads@ogulo.com>"
    msg["To"] = "anfragen@testbuero.example"
    msg["Subject"] = "Ogulo: Neuer Lead für Ihren 360°-Rundgang"
    msg["Message-ID"] = make_msgid(domain="ogulo.com")
    rows = [
        ("Vorname", first),
        ("Nachname", last),
        ("E-Mail-Adresse", email),
        ("Telefonnummer", phone),
    ]
    cells = "".join(f"<tr><td>{k}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    link = f"https://tour.ogulo.com/{tour_id}"
    tour_row = f"<tr><td>Tour</td><td><a href='{link}'>{link}</a></td></tr>"
    msg.set_content(
        f"<html><body><p>Neuer Lead</p><table>{cells}{tour_row}</table></body></html>", subtype="html"
    )
    return bytes(msg)


def generic_mail(first: str, last: str, email: str, kennung: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Rundgang-Service <no-reply@tours.example>"
    msg["Subject"] = "Registrierung für den virtuellen Rundgang"
    msg["Message-ID"] = make_msgid(domain="tours.example")
    msg.set_content(f"Name: {first} {last}\nE-Mail: {email}\nKennung: {kennung}\n")
    return bytes(msg)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=names, last=names, email=emails, phone=phones, tour_id=tour_ids)
def test_immoviewer_and_ogulo_mails_give_back_what_the_prospect_typed(first, last, email, phone, tour_id):
    for raw, provider in (
        (immoviewer_mail(first, last, email, phone, tour_id), "immoviewer"),
        (ogulo_mail(first, last, email, phone, tour_id), "ogulo"),
    ):
        result = parse_message(raw)
        assert result.parser == provider and result.inquiry is not None, result.problems
        parsed = result.inquiry
        assert parsed.source == "tour" and parsed.portal_property_id == tour_id
        p = parsed.prospect
        assert (p.first_name, p.last_name, p.email, p.phone) == (first, last, email.lower(), phone)
        assert parse_message(raw) == result  # the same mail always reads the same


@settings(max_examples=60, deadline=None)
@given(first=names, last=names, email=emails, kennung=st.from_regex(r"MW-[0-9]{4}", fullmatch=True))
def test_a_generic_provider_mail_is_read_by_its_kennung(first, last, email, kennung):
    result = parse_message(generic_mail(first, last, email, kennung))
    assert result.parser == "tour_generic" and result.inquiry is not None
    assert result.inquiry.property_external_id == kennung and result.inquiry.prospect.email == email.lower()


@settings(max_examples=80, deadline=None)
@given(
    body=st.text(max_size=400),
    subject=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=80),
)
def test_no_provider_mail_makes_the_parsers_lose_it(body, subject):
    for sender in ("noreply@immoviewer.com", "leads@ogulo.com", "x@tours.example"):
        msg = EmailMessage()
        msg["From"] = sender
        msg["Subject"] = "Registrierung Rundgang " + subject
        msg.set_content(body)
        result = parse_message(bytes(msg))  # never raises: recognised, or kept as "nicht erkannt"
        assert result.inquiry is None or result.inquiry.source == "tour"


def test_an_immoviewer_registration_without_a_valid_address_is_kept_with_a_german_reason():
    raw = immoviewer_mail("Anna", "Schäfer", "anna(at)example", "+49 221 1234", IMMOVIEWER_ID)
    result = parse_message(raw)
    assert result.inquiry is None
    assert any("ohne gültige E-Mail-Adresse" in p for p in result.problems)


def test_a_newsletter_of_a_provider_is_not_a_registration():
    msg = EmailMessage()
    msg["From"] = "immoviewer <news@immoviewer.com>"
    msg["Subject"] = "Neu: KI-Grundrisse"
    msg.set_content("Jetzt testen: https://www.immoviewer.com/de/ki")
    assert parse_message(bytes(msg)).inquiry is None


@pytest.mark.django_db
def test_provider_mails_become_tour_inquiries_once_and_find_the_property_by_the_tour(
    office: Any, agent: Any, mailbox: Mailbox, imap_account: Any, smtp_sink: Any
) -> None:
    from maklerwerk.inquiries.services import settings_for
    from maklerwerk.tours.services import TourData, tour_create

    cfg = settings_for(office)
    cfg.double_opt_in, cfg.send_expose = False, False
    cfg.save()
    prop = make_property(office, agent, "MW-0360")
    other = make_property(office, agent, "MW-0361")
    tour_create(
        prop=prop, data=TourData(link=f"https://app.immoviewer.com/tour/{IMMOVIEWER_ID}"), acting_user=agent
    )
    tour_create(prop=other, data=TourData(link=f"https://tour.ogulo.com/{OGULO_ID}"), acting_user=agent)
    first = immoviewer_mail("Anna", "Schäfer", "anna.schaefer@example.org", "+49 221 555 0101", IMMOVIEWER_ID)
    second = ogulo_mail("Jonas", "Weber", "jonas.weber@example.org", "+49 228 555 0102", OGULO_ID)
    deliver(imap_account, first, second, b"Received: from relay2.example\r\n" + first)

    [result] = fetch_all()
    assert (result.taken_in, result.already_known) == (2, 1)
    anna = Inquiry.objects.get(email="anna.schaefer@example.org")
    jonas = Inquiry.objects.get(email="jonas.weber@example.org")
    assert anna.get_source_display() == "Rundgang" and jonas.get_source_display() == "Rundgang"
    assert (anna.property, jonas.property) == (prop, other)
    assert anna.contact is not None and anna.contact.last_name == "Schäfer"
    assert anna.status not in ("unrecognized", "ignored"), anna.reason

    deliver(imap_account, first)  # the provider sends it again: still one inquiry
    fetch_all()
    assert Inquiry.objects.filter(email="anna.schaefer@example.org").count() == 1


@pytest.mark.django_db
def test_a_tour_id_does_not_lock_the_kennung(office: Any, agent: Any) -> None:
    from maklerwerk.properties.selectors import kennung_locked_by
    from maklerwerk.tours.services import TourData, tour_create

    prop = make_property(office, agent, "MW-0362")
    tour_create(prop=prop, data=TourData(link=f"https://tour.ogulo.com/{OGULO_ID}"), acting_user=agent)
    assert kennung_locked_by(prop=prop) == []
