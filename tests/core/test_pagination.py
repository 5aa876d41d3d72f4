"""Big lists say "mehr als 10.000" instead of counting the whole office on every request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maklerwerk.contacts.models import Contact
from maklerwerk.core.pagination import CappedPaginator, count_capped

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(office: Any) -> None:
    Contact.objects.bulk_create(Contact(office=office, last_name=f"Meier {i}") for i in range(7))


def test_a_list_above_the_cap_says_more_than_and_pages_stop_there(
    seven: None, agent_client: Client, settings: Any
) -> None:
    settings.LIST_COUNT_CAP = 5
    html = agent_client.get("/contacts/").content.decode()
    assert "mehr als 5 Kontakte" in html
    settings.LIST_COUNT_CAP = 7
    html = agent_client.get("/contacts/").content.decode()
    assert "7 Kontakte" in html and "mehr als" not in html


def test_the_capped_count_reads_at_most_cap_plus_one_rows(seven: None, settings: Any) -> None:
    qs = Contact.objects.order_by("last_name")
    with CaptureQueriesContext(connection) as queries:
        assert count_capped(qs, cap=3) == (3, False)
    sql = queries.captured_queries[0]["sql"].upper()
    assert "LIMIT 4" in sql and "ORDER BY" not in sql  # bounded and unsorted, whatever the list's order
    assert count_capped(qs, cap=7) == (7, True) and count_capped(list(qs), cap=10) == (7, True)
    settings.LIST_COUNT_CAP = 4
    paginator = CappedPaginator(qs, 2)
    assert (paginator.count, paginator.exact, paginator.num_pages) == (4, False, 2)


def test_the_api_counts_to_the_cap_and_pages_on_past_it(seven: None, api: Any, settings: Any) -> None:
    settings.LIST_COUNT_CAP = 3
    first = api.get("/api/v1/contacts", {"limit": 3}).json()
    assert (first["count"], first["count_exact"], first["next_offset"]) == (3, False, 3)
    seen = [c["id"] for c in first["items"]]
    offset = first["next_offset"]
    while offset is not None:  # a client that follows next_offset gets every record once
        page = api.get("/api/v1/contacts", {"limit": 3, "offset": offset}).json()
        seen += [c["id"] for c in page["items"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == 7
    settings.LIST_COUNT_CAP = 10
    whole = api.get("/api/v1/contacts", {"limit": 7}).json()
    assert (whole["count"], whole["count_exact"], whole["next_offset"]) == (7, True, None)
