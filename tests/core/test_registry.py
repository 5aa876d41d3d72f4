"""One registry style: apps register counters, widgets, tabs, actions, export sections, seeders and job
kinds in AppConfig.ready(); a key is taken once, the order is explicit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from maklerwerk.core.registry import Registry


@dataclass(frozen=True)
class Item:
    key: str
    order: int = 50


def test_a_key_is_registered_once_and_items_come_in_their_order() -> None:
    registry: Registry[Item] = Registry("test items")
    registry.register(Item("b", order=20))
    registry.register(Item("a", order=10))
    registry.register(Item("c", order=20))  # same order: after "b", which came first
    with pytest.raises(ImproperlyConfigured, match="test items: 'a' is registered twice"):
        registry.register(Item("a", order=99))
    assert registry.keys() == ["a", "b", "c"] and registry["a"].order == 10 and "z" not in registry


def test_the_shipped_registries_are_filled_at_start_in_a_fixed_order() -> None:
    from maklerwerk.core.dashboard import COUNTERS, WIDGETS
    from maklerwerk.core.export import EXPORT_SECTIONS
    from maklerwerk.core.jobs import JOBS
    from maklerwerk.core.seeding import SEEDERS
    from maklerwerk.core.tabs import ACTIONS, TABS

    assert COUNTERS.keys() == [
        "contacts", "activities", "users", "properties", "new_matches", "open_tasks", "inquiries_open",
    ]  # fmt: skip
    assert WIDGETS.keys() == ["appointments_today", "tasks_due", "new-matches", "inquiries"]
    assert [t.key for t in TABS if t.page == "contact"] == [
        "properties", "appointments", "protected-documents", "tours", "inquiries",
    ]  # fmt: skip
    assert [t.key for t in TABS if t.page == "property"] == [
        "activities", "document-sharing", "viewings", "portals", "tours",
    ]  # fmt: skip
    assert [a.key for a in ACTIONS if a.page == "contact"] == ["expose", "compose", "letter", "privacy"]
    assert SEEDERS.keys() == [
        "activities",
        "contacts",
        "properties",
        "search_profiles",
        "agent_day",
        "inquiries",
        "appointments",
        "duplicate_keys",
        "mailing",
    ]
    # Existing Job rows name these kinds: they never change.
    assert {
        "core.data_export",
        "contacts.vcard_preview",
        "contacts.vcard_import",
        "duplicates.search",
        "exposes.offer_send",
        "inquiries.fetch",
        "portals.transfer",
    } <= set(JOBS.keys())
    assert EXPORT_SECTIONS.keys()[0] == "users" and EXPORT_SECTIONS.keys()[-1] == "history"


@pytest.mark.django_db
def test_the_contact_page_shows_the_tabs_other_apps_registered(agent_client: Client, office: Any) -> None:
    from maklerwerk.contacts.models import Contact

    contact = Contact.objects.create(office=office, last_name="Brandt")
    html = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    for label in ("Immobilien", "Geschützte Dokumente", "Anfragen &amp; Prozesse"):
        assert label in html
    assert html.index("Immobilien</a>") < html.index("Anfragen &amp; Prozesse</a>")
