"""A recipient's failure is recorded on that recipient only, never on one another worker is sending."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.exposes import services
from maklerwerk.exposes.models import Offer, OfferRecipient
from maklerwerk.mailing.models import MailTemplate

pytestmark = pytest.mark.django_db


def test_a_failure_marks_only_its_own_recipient(office: Any, prop: Any, recipients: list[Any]) -> None:
    template = MailTemplate.objects.create(office=office, name="Angebot", body="Hallo")
    offer = Offer.objects.create(office=office, mail_template=template, subject="Angebot", body="Hallo")
    first, second = (
        OfferRecipient.objects.create(offer=offer, contact=c, property=prop) for c in recipients[:2]
    )
    assert services.recipient_claim(first.pk) and services.recipient_claim(second.pk)  # two workers sending

    services.recipient_failed(first.pk, "550 mailbox unavailable")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason) == ("failed", "550 mailbox unavailable")
    assert (second.status, second.reason) == ("sending", "")
