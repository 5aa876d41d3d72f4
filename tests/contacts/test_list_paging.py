"""A page of a search shows what the whole sorted search shows at that place, by offset or by cursor,
whether the search sorts its few matches or walks the order's index for many (#24)."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maklerwerk.contacts import selectors
from maklerwerk.contacts.models import Contact, ContactEmail
from maklerwerk.contacts.normalize import search_key
from maklerwerk.core.keyset import cursor_decode, keyset_page

pytestmark = pytest.mark.django_db

SURNAMES = ["Müller", "Mülheim", "Möller", "Maier", "Münch", "Mü", "Schmidt", "Schulz"]
CITIES = ["Mülheim", "Köln", "München", "Essen", "", "Aachen"]


@pytest.fixture
def office_contacts(office: Any) -> list[Contact]:
    """60 contacts whose names, cities and companies share prefixes, with ties and empty values."""
    rng = random.Random(5)
    now = timezone.now()
    contacts = []
    for i in range(60):
        last, city = rng.choice(SURNAMES), rng.choice(CITIES)
        company = rng.choice(["", "", "Müller Bau", "Mühlen AG"])
        contacts.append(
            Contact(
                office=office,
                first_name=rng.choice(["Anna", "Mücke", "Ben"]),
                last_name=last,
                city=city,
                company_name=company,
                name_key=search_key(f"{last} {rng.choice(['Anna', 'Ben'])}"),
                first_name_key="",
                company_key=search_key(company),
                city_key=search_key(city),
                restricted=i % 17 == 0,
                last_activity_at=None if i % 3 == 0 else now - dt.timedelta(days=i % 7),
            )
        )
    Contact.objects.bulk_create(contacts)
    for c in Contact.objects.filter(office=office):
        c.first_name_key = search_key(c.first_name)
        c.save(update_fields=["first_name_key"])
    ContactEmail.objects.create(
        office=office, contact=contacts[5], value="mue@x.de", value_normalized="mue@x.de"
    )
    return list(Contact.objects.filter(office=office))


ORDERINGS = [f"{sign}{name}" for name in selectors.ORDERINGS for sign in ("", "-")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    search=st.sampled_from(["", "mü", "Mül", "m", "s", "Mü Anna", "köln", "mue@", "zz"]),
    ordering=st.sampled_from(ORDERINGS),
    limit=st.integers(1, 13),
    sort_at_most=st.sampled_from([0, 2, 12, 1000]),
)
def test_pages_by_cursor_are_the_whole_sorted_search_cut_in_pieces(
    office_contacts: list[Contact], agent: Any, search: str, ordering: str, limit: int, sort_at_most: int
) -> None:
    listed = selectors.contact_list(user=agent, search=search, ordering=ordering)
    whole = list(listed.values_list("pk", flat=True))
    old = selectors.SORT_AT_MOST
    # 0, 2 and 12: the parts merged (their few matches sorted, many walked); 1000: sorting every match
    selectors.SORT_AT_MOST = sort_at_most
    try:
        paged = selectors.contact_list(user=agent, search=search, ordering=ordering, paged=True)
        seen, cursor, offsets = [], None, []
        while True:
            page = keyset_page(paged, cursor, limit)
            offsets.append(page.offset)
            seen += [c.pk for c in page.rows]
            if page.next is None:
                break
            cursor = page.next
        # and back again from the last page by the "previous" cursors
        back = [c.pk for c in page.rows]
        while page.previous is not None:
            page = keyset_page(paged, page.previous, limit)
            back = [c.pk for c in page.rows] + back
    finally:
        selectors.SORT_AT_MOST = old
    assert seen == whole and back == whole and page.offset == 0
    assert offsets == list(range(0, max(len(whole), 1), limit))[: len(offsets)]


@pytest.mark.parametrize("ordering", ["name", "-name", "city", "company", "-created", "last_activity"])
def test_a_common_search_merges_its_parts_in_the_lists_order(
    office_contacts: list[Contact], agent: Any, monkeypatch: Any, ordering: str
) -> None:
    """A page of a search with more matches than it sorts shows what the whole sorted search shows
    (the global search and the pickers read its first rows the same way); on SQLite it reads the
    word's range on the list's own key, the few matches of the other fields and a walk for the many."""
    monkeypatch.setattr(selectors, "SORT_AT_MOST", 12)
    whole = list(
        selectors.contact_list(user=agent, search="Mü", ordering=ordering).values_list("pk", flat=True)
    )
    paged = selectors.contact_list(user=agent, search="Mü", ordering=ordering, paged=True)
    assert len(whole) > 12
    with CaptureQueriesContext(connection) as queries:
        first = [c.pk for c in selectors.contact_first(paged, 7)]
    assert first == whole[:7]
    if ordering == "name":  # the pickers' order
        choices = selectors.contact_choices(user=agent, search="Mü", exclude_id=whole[0], limit=5)
        assert [c.pk for c in choices] == whole[1:6]
    if connection.vendor == "sqlite" and ordering.lstrip("-") in ("name", "city", "company"):
        # The list's own key: one index range of 8 rows (7 and one to know there is more); a `+`
        # before a column keeps SQLite from using its index (the search's other fields).
        own = re.compile(
            rf'(?<!\+)"contacts_contact"."{selectors.ORDERINGS[ordering.lstrip("-")]}" >= \'mu\''
        )
        sql = [q["sql"] for q in queries.captured_queries]
        assert any(own.search(q) and "LIMIT 8" in q for q in sql), sql


def test_the_api_pages_a_common_search_by_cursor_and_ends_where_offset_paging_ends(
    office_contacts: list[Contact], api: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "SORT_AT_MOST", 3)
    query = {"search": "Mü", "ordering": "city", "limit": 4}
    by_offset, offset = [], 0
    while offset is not None:
        body = api.get("/api/v1/contacts", {**query, "offset": offset}).json()
        by_offset += [c["id"] for c in body["items"]]
        offset = body["next_offset"]
    first = api.get("/api/v1/contacts", query).json()
    by_cursor, body = [c["id"] for c in first["items"]], first
    while body["next_cursor"]:
        body = api.get("/api/v1/contacts", {**query, "cursor": body["next_cursor"]}).json()
        assert body["offset"] == len(by_cursor)  # offset and next_offset stay true
        by_cursor += [c["id"] for c in body["items"]]
    assert len(by_offset) > 8 and by_cursor == by_offset
    assert body["next_offset"] is None and first["count"] == len(by_offset) and first["count_exact"]


def test_the_deep_page_cursor_round_trip(office_contacts: list[Contact], api: Any, agent: Any) -> None:
    """A client keeps the last page's cursor (a bookmark) and opens the same page again later."""
    query = {"ordering": "-last_activity", "limit": 5}
    body, cursors = api.get("/api/v1/contacts", query).json(), []
    while body["next_cursor"]:
        cursors.append(body["next_cursor"])
        body = api.get("/api/v1/contacts", {**query, "cursor": body["next_cursor"]}).json()
    last_ids = [c["id"] for c in body["items"]]
    again = api.get("/api/v1/contacts", {**query, "cursor": cursors[-1]}).json()
    assert [c["id"] for c in again["items"]] == last_ids and again["next_cursor"] is None
    whole = list(selectors.contact_list(user=agent, ordering="-last_activity").values_list("pk", flat=True))
    assert last_ids == whole[again["offset"] :]


def test_a_cursor_reads_one_index_range_not_the_rows_before_it(
    office_contacts: list[Contact], agent: Any
) -> None:
    qs = selectors.contact_list(user=agent, ordering="city", paged=True)
    cursor = keyset_page(qs, None, 10).next
    with CaptureQueriesContext(connection) as queries:
        keyset_page(qs, cursor, 10)
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "OFFSET" not in sql and "LIMIT 11" in sql


def test_a_broken_cursor_is_a_german_error(api: Any, office_contacts: list[Contact]) -> None:
    response = api.get("/api/v1/contacts", {"cursor": "bm9uc2Vuc2U"})
    assert response.status_code == 400
    assert "nicht mehr gültig" in response.json()["detail"]
    with pytest.raises(Exception, match="nicht mehr"):
        cursor_decode("!!", Contact.objects.order_by("city_key", "pk"))


def test_the_list_page_pages_a_common_search_by_cursor(
    office_contacts: list[Contact], agent_client: Client, agent: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "SORT_AT_MOST", 3)
    monkeypatch.setattr("maklerwerk.contacts.views.PAGE_SIZE", 4)
    whole = list(selectors.contact_list(user=agent, search="Mü", ordering="city"))
    html = agent_client.get("/contacts/", {"q": "Mü", "sort": "city"}).content.decode()
    shown, pages = [], 0
    while True:
        pages += 1
        shown += [c.display_name for c in whole if f"/contacts/{c.pk}/" in html]
        if 'rel="next"' not in html:
            break
        link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        assert "after=" in link
        html = agent_client.get("/contacts/" + link).content.decode()
        assert f"{(pages * 4) + 1}–" in html  # "5–8 von …": the reader's position stays right
    assert pages == -(-len(whole) // 4) and len(shown) == len(whole)
    previous = html.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert agent_client.get("/contacts/" + previous).status_code == 200


@pytest.mark.parametrize("cap", [1, 3, 5, 8, 100])
def test_the_count_of_a_search_is_exact_up_to_the_cap_and_capped_above_it(
    office_contacts: list[Contact], agent: Any, settings: Any, cap: int
) -> None:
    settings.LIST_COUNT_CAP = cap
    cases: list[tuple[str, dict[str, Any]]] = [
        ("Mü", {}),
        ("m", {}),
        ("Mü Anna", {}),
        ("Mü", {"role": "owner"}),
    ]
    for search, filters in cases:
        true = selectors.contact_list(user=agent, search=search, **filters).count()
        expected = (true, True) if true <= cap else (cap, False)
        assert selectors.contact_count(user=agent, search=search, **filters) == expected, (search, filters)


@pytest.mark.parametrize(
    "raw",
    [
        '["a", 99999999999999999999999, 0, false]',
        '["a\\u0000", 1, 0, false]',
        '["a", 1, -5, false]',
        '{"a": 1}',
    ],
)
def test_a_forged_cursor_is_refused_not_a_server_error(
    raw: str, api: Any, office_contacts: list[Contact]
) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = api.get("/api/v1/contacts", {"cursor": cursor, "ordering": "city"})
    assert response.status_code == 400 and "nicht mehr gültig" in response.json()["detail"]
