"""The SMTP mailer's own flattening gives the bytes Python's generator gives, and what a real
server receives is the mail with its attachment intact."""

from __future__ import annotations

import email.policy
import io

import pytest
from django.core.mail import EmailMultiAlternatives, mailers
from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.integrations.smtp.backend import _Generator, dot_stuffed, message_bytes

text = st.text(st.characters(codec="utf-8"), max_size=400)


def _message(body: str, html: str, data: bytes, name: str) -> EmailMultiAlternatives:
    msg = EmailMultiAlternatives(
        "Exposé für Sie", body, "Büro <buero@example.org>", ["Käuferin <k@example.org>"],
        headers={"Message-ID": "<1@example.org>", "Date": "Sat, 05 Dec 2026 08:00:00 +0100"},
    )  # fmt: skip
    msg.attach_alternative(html, "text/html")
    msg.attach(name, data, "application/pdf")
    return msg


@settings(max_examples=60, deadline=None)
@given(body=text, html=text, data=st.binary(max_size=3000), name=st.sampled_from(["a.pdf", "Exposé Ü 1.pdf"]))
def test_flatten_gives_the_standard_bytes(body: str, html: str, data: bytes, name: str) -> None:
    msg = _message(body, html, data, name).message(policy=email.policy.SMTP)
    out = io.BytesIO()
    _Generator(out, mangle_from_=False, policy=msg.policy).flatten(msg, unixfrom=False)
    assert out.getvalue() == msg.as_bytes()


def test_mixed_line_ends_take_the_standard_path() -> None:
    msg = _message("eins\r\nzwei\rdrei\nvier", "<p>x</p>", b"%PDF", "a.pdf").message(policy=email.policy.SMTP)
    out = io.BytesIO()
    _Generator(out, mangle_from_=False, policy=msg.policy).flatten(msg, unixfrom=False)
    assert out.getvalue() == msg.as_bytes()


@pytest.mark.django_db
def test_the_server_receives_the_attachment_intact(smtp_sink) -> None:
    pdf = bytes(range(256)) * 4000  # 1 MB, every byte value
    msg = _message("Guten Tag,\nanbei das Exposé.", "<p>Guten Tag</p>", pdf, "Exposé MW-1.pdf")
    assert mailers.default.send_messages([msg]) == 1
    got = smtp_sink.parsed()[-1]
    part = next(p for p in got.iter_attachments() if p.get_filename() == "Exposé MW-1.pdf")
    assert part.get_content() == pdf
    # The copy for the Sent folder is what the server got (one flatten per message, CRLF ends).
    received = smtp_sink.messages[-1].content.replace(b"\r\n", b"\n")
    assert message_bytes(msg).replace(b"\r\n", b"\n").rstrip() in received


def test_a_boundary_that_occurs_in_a_part_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    tokens = iter([1, 2, 2, 3])  # the inner part (text + HTML) first, then the whole mail
    monkeypatch.setattr(random, "randrange", lambda _n: next(tokens))
    taken = "===============0000000000000000001=="
    msg = _message(f"Zitat:\n--{taken}\nEnde", "<p>x</p>", b"%PDF", "a.pdf").message(policy=email.policy.SMTP)
    out = io.BytesIO()
    _Generator(out, mangle_from_=False, policy=msg.policy).flatten(msg, unixfrom=False)
    inner = next(p for p in msg.iter_parts() if p.is_multipart())
    assert inner.get_boundary() == "===============0000000000000000002=="  # 1 is in its text
    assert msg.get_boundary() == "===============0000000000000000003=="  # 2 is in its inner part
    assert out.getvalue() == msg.as_bytes()
    plain = email.message_from_bytes(out.getvalue(), policy=email.policy.default).get_body(("plain",))
    assert plain is not None and plain.get_content() == f"Zitat:\r\n--{taken}\r\nEnde\r\n"  # as sent (CRLF)


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(st.sampled_from([b".", b"\r\n", b"\n", b"\r", b"a", b"..", b"\xff"]), max_size=40).map(
        b"".join
    )
)
def test_dot_stuffing_is_smtplibs(data: bytes) -> None:
    import smtplib

    assert dot_stuffed(data) == smtplib._quote_periods(data)  # type: ignore[attr-defined]  # private helper


@pytest.mark.django_db
def test_lines_that_start_with_a_dot_arrive_unchanged(smtp_sink) -> None:
    body = ".\nGuten Tag,\n..zwei Punkte\n.ein Punkt\nEnde."
    assert mailers.default.send_messages([_message(body, "<p>.</p>", b".\r\n.", ".a.pdf")]) == 1
    got = smtp_sink.parsed()[-1]
    assert got.get_body(("plain",)).get_content().replace("\r\n", "\n") == body + "\n"
    assert next(got.iter_attachments()).get_content() == b".\r\n."
