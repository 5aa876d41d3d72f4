"""The exposé pages as users reach them: roles and other offices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.properties.models import Property
from tests.conftest import streamed

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_property_page_previews_and_downloads_the_expose(agent: Any, prop: Any) -> None:
    client = _login(agent)
    page = client.get(f"/exposes/property/{prop.pk}/")
    assert page.status_code == 200 and "Exposé" in page.content.decode()
    pdf = client.get(f"/exposes/property/{prop.pk}/pdf/")
    assert pdf.status_code == 200 and (streamed(pdf) if pdf.streaming else pdf.content)[:4] == b"%PDF"


def test_another_office_gets_404_on_every_expose_page(outsider: Any, prop: Any, contact: Any) -> None:
    client = _login(outsider)
    for url in (
        f"/exposes/property/{prop.pk}/",
        f"/exposes/property/{prop.pk}/preview/",
        f"/exposes/property/{prop.pk}/pdf/",
        f"/exposes/contact/{contact.pk}/",
        f"/exposes/evidence/{contact.pk}/{prop.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_read_only_users_cannot_start_offers(readonly_user: Any, prop: Any, contact: Any) -> None:
    client = _login(readonly_user)
    assert client.get(f"/exposes/property/{prop.pk}/").status_code == 200
    assert client.get(f"/exposes/offers/new/?property={prop.pk}&contacts={contact.pk}").status_code == 403
    assert Property.objects.filter(pk=prop.pk).exists() and Contact.objects.filter(pk=contact.pk).exists()
