"""The property page's match list comes in a fixed number of queries, however many profiles match
(#24: at 1M search profiles a query per match would make the page grow with the office)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maklerwerk.contacts.models import Contact
from maklerwerk.properties.models import PropertyContact

pytestmark = pytest.mark.django_db


def _page(client: Client, pk: int) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/properties/{pk}/").content.decode()
    return len(queries.captured_queries), html


def test_the_property_page_reads_its_matches_without_a_query_per_match(
    agent_client: Client, make_property: Any, make_profile: Any, office: Any, agent: Any
) -> None:
    prop = make_property(purchase_price=400000)

    def matching_prospects(start: int, n: int) -> None:
        for i in range(start, start + n):
            person = Contact.objects.create(office=office, first_name="Interessent", last_name=f"Nr{i:02d}")
            make_profile(contact=person, name=f"Suche {i}")
            if i % 2:  # offered ones show their state: read for all rows at once too
                PropertyContact.objects.create(
                    office=office, property=prop, contact=person, role="prospect", interest_status="offered"
                )

    matching_prospects(0, 2)
    _page(agent_client, prop.pk)  # caches (tabs, office settings) warm
    few, html = _page(agent_client, prop.pk)
    assert "Nr00" in html and "Nr01" in html
    matching_prospects(2, 18)
    many, html = _page(agent_client, prop.pk)
    assert all(f"Nr{i:02d}" in html for i in range(20))  # 20 matches on the page
    assert many == few
