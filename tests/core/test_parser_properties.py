"""Property-based tests of the pure parsers: whatever the input, each returns a result or raises
its documented error (with a German message where users see it), never another exception.

Bounded and derandomised (no example database), so CI runs the same examples every time.
"""

from __future__ import annotations

import string
from collections.abc import Callable

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maklerwerk.contacts import normalize, vcard
from maklerwerk.inquiries.parsers import ParserRefused, _parsers, claim_key, parse_message
from maklerwerk.inquiries.parsers.mime import _HEADERS, _header, message_id_of, read_mail
from maklerwerk.inquiries.parsers.openimmo_feedback import FeedbackRefused, parse_feedback_xml
from maklerwerk.mailing import templating
from maklerwerk.mailing.placeholders import BY_NAME

FAST = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# Text that looks a bit like the real thing: structure characters mixed with arbitrary Unicode.
def _like(*fragments: str) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(fragments), st.text(max_size=12))
    return st.lists(pieces, max_size=25).map("".join)


# --- vCard -------------------------------------------------------------------------------------

VCARD_FRAGMENTS = (
    "BEGIN:VCARD\r\n", "END:VCARD\r\n", "VERSION:2.1\r\n", "VERSION:3.0\r\n", "VERSION:4.0\r\n",
    "N:Müller;Anna;;Dr.;\r\n", "FN:Anna Müller\r\n", "EMAIL;TYPE=work:anna@example.de\r\n",
    "TEL;TYPE=cell:0171 2345678\r\n", "ADR;TYPE=home:;;Hauptstr. 1;Köln;;50667;Deutschland\r\n",
    "BDAY:1980-02-30\r\n", "BDAY:--0415\r\n", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n",
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller=\r\n", " folded\r\n", ";", ":", "=",
    "ORG:Firma;Abteilung\r\n", "item1.X-ABLABEL:foo\r\n", "CATEGORIES:VIP,Newsletter\r\n",
)  # fmt: skip


@FAST
@given(
    st.one_of(
        _like(*VCARD_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=300)
    )
)
def test_vcard_parse_returns_entries_or_refuses_the_file(raw: bytes) -> None:
    try:
        entries = vcard.parse(raw)
    except vcard.NotAVCardError as exc:
        assert "vCard" in str(exc)
        return
    for entry in entries:
        assert isinstance(entry.data, dict) and isinstance(entry.error, str)
        assert isinstance(entry.display_name, str)


# --- phone, IBAN and the other contact normalisers ---------------------------------------------


def _german_error(normaliser: Callable[[str], object], value: str) -> None:
    try:
        result = normaliser(value)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
    else:
        assert isinstance(result, str)


PHONE_CHARS = string.digits + "+()-/ .x#*" + "０１٣"


@FAST
@given(
    st.one_of(st.text(alphabet=PHONE_CHARS, max_size=30), st.text(max_size=30)),
    st.sampled_from(["DE", "AT", "CH", "", "XX"]),
)
def test_phone_normalisation_returns_e164_or_a_validation_error(value: str, region: str) -> None:
    try:
        result = normalize.normalize_phone(value, region)
    except ValidationError as exc:
        assert "Telefonnummer" in exc.messages[0]
    else:
        assert result.startswith("+") and result[1:].isdigit()
        assert isinstance(normalize.format_phone(result), str)
    prefix = normalize.phone_search_prefix(value)
    assert prefix is None or isinstance(prefix, str)


IBAN_CHARS = string.ascii_uppercase + string.digits + " -" + "ÄÖß"


@FAST
@given(
    st.one_of(
        st.text(alphabet=IBAN_CHARS, max_size=40),
        st.builds(lambda tail: "DE" + tail, st.text(alphabet=string.digits + " ", max_size=24)),
        st.text(max_size=40),
    )
)
def test_iban_normalisation_returns_a_compact_iban_or_a_validation_error(value: str) -> None:
    try:
        result = normalize.normalize_iban(value)
    except ValidationError as exc:
        assert "IBAN" in exc.messages[0]
    else:
        assert result == result.replace(" ", "").upper() and isinstance(normalize.format_iban(result), str)


@FAST
@given(st.one_of(st.text(alphabet=IBAN_CHARS, max_size=20), st.text(max_size=20)))
def test_bic_vat_tax_number_e_mail_and_website_normalisers_refuse_with_a_validation_error(value: str) -> None:
    for normaliser in (
        normalize.normalize_bic,
        normalize.normalize_vat_id,
        normalize.normalize_tax_number,
        normalize.normalize_email,
        normalize.normalize_website,
    ):
        _german_error(normaliser, value)


# --- inquiry mails (MIME) and the portal parsers -----------------------------------------------

MAIL_FRAGMENTS = (
    "From: ImmoScout24 <noreply@immobilienscout24.de>\r\n", "From: immowelt <anfragen@immowelt.de>\r\n",
    "Subject: =?utf-8?B?S29udGFrdGFuZnJhZ2U=?=\r\n", "Subject: =?iso-8859-1?Q?Anfrage_f=FCr?=\r\n",
    "Message-ID: <a@b>\r\n", "MIME-Version: 1.0\r\n",
    'Content-Type: multipart/mixed; boundary="b"\r\n', "--b\r\n", "--b--\r\n",
    "Content-Type: text/html; charset=unknown-8bit\r\n", "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Type: application/xml\r\n",
    'Content-Disposition: attachment; filename="feedback.xml"\r\n', "\r\n",
    "Name: Max Mustermann\r\n", "E-Mail: max@example.de\r\n", "Telefon: 0171 2345678\r\n",
    "Scout-ID: 123456\r\n", "Anbieter-ID: W-001\r\n", "<p>Hallo<br>Welt</p>", "PGh0bWw+",
)  # fmt: skip


@FAST
@given(
    st.one_of(
        _like(*MAIL_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=400)
    )
)
def test_mail_reading_and_the_portal_parsers_return_a_result_or_refuse_in_words(raw: bytes) -> None:
    mail = read_mail(raw)
    assert isinstance(mail.text, str) and isinstance(mail.subject, str)
    for parser in _parsers():
        try:
            result = parser.parse(mail)
        except ParserRefused as exc:
            assert str(exc).strip()
        else:
            assert result is None or result.source
    outcome = parse_message(raw)
    # A parser crash would be recorded as "<parser>: <ExceptionType>: …" instead of refused in words.
    assert not any(": " in p and p.split(":")[0] in {q.name for q in _parsers()} for p in outcome.problems)


FEEDBACK_FRAGMENTS = (
    '<?xml version="1.0" encoding="UTF-8"?>', "<openimmo_feedback>", "</openimmo_feedback>",
    "<objekt>", "</objekt>", "<oobj_id>W-001</oobj_id>", "<interessent>", "</interessent>",
    "<vorname>Max</vorname>", "<nachname>Müller</nachname>", "<email>max@example.de</email>",
    "<tel>0171</tel>", "<anfrage>Bitte Exposé</anfrage>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;",
    '<objekt xmlns="http://www.openimmo.de">', "<![CDATA[x]]>",
)  # fmt: skip


@FAST
@given(
    st.one_of(
        _like(*FEEDBACK_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=200)
    )
)
def test_openimmo_feedback_returns_an_inquiry_none_or_a_german_refusal(data: bytes) -> None:
    try:
        result = parse_feedback_xml(data)
    except FeedbackRefused as exc:
        assert "OpenImmo" in str(exc)
    else:
        assert result is None or result.source == "openimmo"


# --- mail templates (public API only: parse, names_used, render) -------------------------------

KNOWN = sorted(BY_NAME)
TEMPLATE_FRAGMENTS = (
    "{{", "}}", "{%", "%}", "{#", "#}", " if ", " else ", " endif ", " elif ", "\n", "kontakt.",
    *(f"{{{{ {name} }}}}" for name in KNOWN[:8]),
    *(f"{{% if {name} %}}" for name in KNOWN[:4]),
    "{% else %}", "{% endif %}", "{{ unbekannt.feld }}", "{{ kontakt.name|upper }}",
)  # fmt: skip


@FAST
@given(_like(*TEMPLATE_FRAGMENTS))
def test_templates_parse_and_render_or_raise_a_syntax_error_with_line_and_reason(source: str) -> None:
    try:
        nodes = templating.parse(source, BY_NAME)
    except templating.TemplateSyntaxError as exc:
        assert exc.line >= 1 and exc.reason.strip()
        return
    assert templating.names_used(nodes) <= set(KNOWN)
    text = templating.render(nodes, value=lambda name: f"<{name}>", escape=str.upper)
    assert isinstance(text, str)


@FAST
@given(
    st.one_of(
        _like(*MAIL_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=400)
    )
)
def test_the_intake_claim_key_reads_the_message_id_as_the_full_reading_does(raw: bytes) -> None:
    """Intake keys a mail without parsing its body; the key must be what reading the mail finds."""
    message_id, body_hash = claim_key(raw)
    assert message_id == read_mail(raw).message_id.replace("\x00", "")
    assert len(body_hash) == 64


# Header shapes the intake's quick reading of the Message-ID must either read as the parser does or
# leave to the parser: folded, lower-case, encoded, 8-bit, bare CR, envelope "From " lines, no name.
HEADER_FRAGMENTS = (
    "Message-ID: <a@b>\r\n", "Message-ID: <a@b>\n", "message-id:<x@y>\r\n", "MESSAGE-ID:  <z@y>  \r\n",
    "Message-ID:\r\n <folded@x>\r\n", "Message-ID: <a@b>\r\n\t(Kommentar)\r\n", "Message-ID :<s@p>\r\n",
    "Message-ID: =?utf-8?q?=3Cq=40x=3E?=\r\n", "Message-ID: <ü@x>\r\n", "Message-ID: <n\x00@x>\r\n",
    "From: a@b\r\n", "From a@b Mon\r\n", "Subject: x\r\n", " continued\r\n", ":\r\n", "\r", "\n",
    "\r\n", "X-\x0bY: z\r\n", "Received: from x\r\n\tby y\r\n", "Text ohne Doppelpunkt\r\n",
)  # fmt: skip


@FAST
@given(
    st.one_of(
        st.lists(st.sampled_from(HEADER_FRAGMENTS), max_size=8).map(lambda p: "".join(p) + "\r\nText\r\n"),
        _like(*HEADER_FRAGMENTS),
    ).map(lambda s: s.encode("utf-8", "surrogatepass"))
)
@example(b"Subject: x\r\nMessage-ID: <a@b>\r\n\t(Kommentar)\r\n\r\nText")
@example(b"From a@b Mon\nMessage-ID: <a@b>\n\nText")
def test_the_quick_message_id_is_the_one_the_header_parser_reads(raw: bytes) -> None:
    """The claim key's Message-ID is read without the e-mail parser where the header block has the
    common shape; whatever the shape, it is what the parser reads (old claims keep matching)."""
    parsed = _header(_HEADERS.parsebytes(raw), "Message-ID").strip().replace("\x00", "")[:250]
    assert message_id_of(raw) == parsed
