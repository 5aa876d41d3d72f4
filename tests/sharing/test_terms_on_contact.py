"""AGB/Provision accepted through a document link's consent gate shows on the contact: the badge, the
"AGB / Provision" field and "Akzeptierte Rechtstexte" read one record."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from maklerwerk.core.models import ChangeLog

from .conftest import public_path

pytestmark = pytest.mark.django_db


def test_accepting_the_gate_confirms_terms_on_the_contact(
    agent_client: Client, link: Any, prospect: Any, documents: Any, office_texts: Any
) -> None:
    cache.clear()
    page = agent_client.get(f"/contacts/{prospect.pk}/").content.decode()
    assert "AGB / Provision – nicht bestätigt" in page

    visitor = Client(REMOTE_ADDR="203.0.113.77")
    gate = visitor.get(public_path(link)).content.decode()
    assert "Widerruf" in gate
    visitor.post(f"{public_path(link)}consent/", {"accept_notice": "1", "accept_terms": "1"})

    page = agent_client.get(f"/contacts/{prospect.pk}/").content.decode()
    assert "AGB / Provision – nicht bestätigt" not in page
    assert "AGB / Provision – bestätigt" in page
    assert "Online-Formular" in page  # how it was confirmed
    tab = agent_client.get(f"/sharing/contact/{prospect.pk}/tab/").content.decode()
    assert "Akzeptierte Rechtstexte" in tab and "W-001" in tab
    # The audit trail says why the field changed.
    change = ChangeLog.objects.filter(object_id=str(prospect.pk)).latest("pk")
    assert change.note == "Über den Dokumentenlink akzeptiert"


def test_an_earlier_confirmation_keeps_its_date(
    link: Any, prospect: Any, office_texts: Any, documents: Any
) -> None:
    import datetime as dt

    prospect.terms_confirmed, prospect.terms_confirmed_on, prospect.terms_confirmed_via = (
        True,
        dt.date(2024, 3, 1),
        "letter",
    )
    prospect.save()
    cache.clear()
    visitor = Client(REMOTE_ADDR="203.0.113.77")
    visitor.post(f"{public_path(link)}consent/", {"accept_notice": "1", "accept_terms": "1"})
    prospect.refresh_from_db()
    assert (prospect.terms_confirmed_on, prospect.terms_confirmed_via) == (dt.date(2024, 3, 1), "letter")
