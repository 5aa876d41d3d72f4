"""The shared SMTP fixture really speaks SMTP, so mail tests elsewhere can trust it."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage


def test_django_mail_arrives_at_the_real_smtp_server(smtp_sink: Any) -> None:
    EmailMessage(
        "Exposé für Sie",
        "Sehr geehrte Frau Özdemir",
        "Maklerbüro Köln <buero@example.de>",
        ["kunde@example.de"],
    ).send()
    (msg,) = smtp_sink.parsed()
    assert msg["Subject"] == "Exposé für Sie"
    assert smtp_sink.messages[0].rcpt_tos == ["kunde@example.de"]
    assert "Özdemir" in msg.get_content()
    assert "Maklerbüro Köln" in str(msg["From"])


def test_a_refused_recipient_fails_loudly(smtp_sink: Any) -> None:
    import smtplib

    import pytest

    smtp_sink.refuse.add("weg@example.de")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        EmailMessage("x", "y", "buero@example.de", ["weg@example.de"]).send()
    assert smtp_sink.messages == []
