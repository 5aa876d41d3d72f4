"""Attachments are base64-encoded in one pass (not Python's line loop): the mail is byte for byte
the one Python's own encoder gives, and the recipient gets the identical file."""

from __future__ import annotations

import email
import email.policy
import hashlib
from typing import Any

from django.core.mail import EmailMultiAlternatives
from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.mailing import selectors, sending, services
from maklerwerk.mailing.placeholders import MailContext


class _StandardEncoding(services._FoldSafeMessage):
    """The same message, its attachments encoded by Python's email package (the reference)."""

    def _add_attachment(self, msg: Any, *args: Any) -> None:
        EmailMultiAlternatives._add_attachment(self, msg, *args)  # type: ignore[attr-defined]  # Django's private helper


def _build(cls: type[EmailMultiAlternatives], attachments: list[tuple[str, bytes, str]]) -> bytes:
    msg = cls(
        "Exposé für Sie", "Guten Tag,\nanbei.", "Büro <buero@example.org>", ["Käuferin <k@example.org>"],
        headers={"Message-ID": "<1@example.org>", "Date": "Sat, 05 Dec 2026 08:00:00 +0100"},
    )  # fmt: skip
    msg.attach_alternative("<p>Guten Tag</p>", "text/html")
    for name, data, mimetype in attachments:
        msg.attach(name, data, mimetype)
    built = msg.message(policy=email.policy.SMTP)
    for i, part in enumerate(built.walk()):
        if part.is_multipart():
            part.set_boundary(f"==grenze-{i}==")  # otherwise random at every flatten
    return built.as_bytes()


attachment = st.tuples(
    st.sampled_from(["Exposé MW-1.pdf", "a.pdf", "Grundriss.jpg", "notiz.txt"]),
    # Around the line boundaries (57 bytes a line) and beyond a few lines.
    st.one_of(st.binary(max_size=200), st.binary(min_size=56, max_size=58), st.binary(max_size=4000)),
    st.sampled_from(["application/pdf", "image/jpeg", "application/octet-stream", "text/plain"]),
)


@settings(max_examples=80, deadline=None)
@given(attachments=st.lists(attachment, max_size=3))
def test_the_mail_is_byte_for_byte_what_pythons_encoder_gives(
    attachments: list[tuple[str, bytes, str]],
) -> None:
    assert _build(services._FoldSafeMessage, attachments) == _build(_StandardEncoding, attachments)


def test_a_sent_expose_pdf_arrives_as_the_identical_file(
    smtp_sink: Any, agent: Any, contact: Any, prop: Any
) -> None:
    # 2 MB with every byte value and a tail that does not fill a base64 line.
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 8192 + b"%%EOF\n"
    sent = sending.mail_send(
        office=agent.office,
        acting_user=agent,
        template=selectors.template_by_key(user=agent, key="expose"),
        to_email="juergen.mueller@example.org",
        ctx=MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop),
        attachments=[services.Attachment("Exposé W-2024-017.pdf", pdf, "application/pdf")],
    )
    msg = email.message_from_bytes(smtp_sink.messages[-1].content, policy=email.policy.default)
    part = next(msg.iter_attachments())
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_filename() == "Exposé W-2024-017.pdf"
    assert part.get_content() == pdf
    encoded = part.get_payload()
    assert isinstance(encoded, str) and all(len(line) <= 76 for line in encoded.splitlines())
    assert sent.attachments[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
