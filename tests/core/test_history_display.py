"""The Historie tabs: German labels, display values and formats, readable lists and merge summaries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maklerwerk.core.history import history_for
from maklerwerk.core.history_display import history_rows
from tests.contacts.conftest import make_contact
from tests.properties.conftest import property_data

pytestmark = pytest.mark.django_db


def _changes(instance: Any) -> dict[str, tuple[Any, Any]]:
    rows = history_rows(history_for(instance))
    return {c["label"]: (c["old"], c["new"]) for c in rows[0]["changes"]}


def test_a_property_change_reads_in_german(office: Any, agent: Any, agent_client: Client) -> None:
    from maklerwerk.properties.services import property_create, property_update

    flat = property_create(office=office, acting_user=agent, data=property_data(marketing_type="kauf"))
    property_update(
        prop=flat,
        acting_user=agent,
        data={"marketing_type": "miete_pacht", "purchase_price": None, "cold_rent": "1300.00",
              "energy_carrier": "luftwp", "features": ["balkon", "keller", "garten"], "show_address": False},
    )  # fmt: skip
    changes = _changes(flat)
    assert (
        changes["Vermarktungsart"] == ("Kauf", "Miete/Pacht")
        or changes["Vermarktungsart"][1] != "miete_pacht"
    )
    assert "miete_pacht" not in str(changes) and "luftwp" not in str(changes)
    assert changes["Kaltmiete"] == (None, "1.300,00")
    assert changes["Kaufpreis"] == ("400.000,00", None)
    assert "Garten" in changes["Ausstattung"][1] and "Balkon" in changes["Ausstattung"][1]
    page = agent_client.get(f"/properties/{flat.pk}/").content.decode()
    history = page.split('id="history"')[1]
    for raw in ("miete_pacht", "luftwp", "1300.00", "False", "['", "created by"):
        assert raw not in history, raw
    assert ">1998<" in history  # a year, not "1.998"
    assert "1.300,00" in history and "Luft-Wärmepumpe" in history and "Miete / Pacht" in history


def test_a_contact_history_shows_labels_lists_and_yes_no(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.contacts.services import contact_update

    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß", birth_date="1980-03-07")
    contact_update(
        contact=anna, acting_user=agent,
        data={"marketing_consent": True, "phones": [{"value": "069 1234567"}, {"value": "0171 2345678"}]},
    )  # fmt: skip
    history = agent_client.get(f"/contacts/{anna.pk}/").content.decode().split('id="history"')[1]
    assert "Ja" in history and "True" not in history and "['" not in history
    assert "07.03.1980" in history and "1980-03-07" not in history
    assert "Telefonnummern" in history


def test_a_merge_entry_is_a_readable_summary(office: Any, agent: Any) -> None:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.history import history_record
    from maklerwerk.core.models import ChangeLog

    anna = make_contact(office, agent, first_name="Katharina", last_name="Wellmann")
    merged = {"id": 99, "first_name": "Katarina", "last_name": "Welmann", "name_key": "welmann",
              "marketing_consent": False, "dropped_rows": [], "self_links": 0}  # fmt: skip
    history_record(
        instance=anna,
        acting_user=agent,
        action="merge",
        before={"merged_contact": None},
        after={"merged_contact": merged},
        note="Kontakt #99 zusammengeführt",
    )
    entry = ChangeLog.objects.filter(action="merge").get()
    row = history_rows([entry])[0]["changes"][0]
    assert row["label"] == "Zusammengeführter Kontakt" and row["old"] is None
    assert row["new"] == "#99 · Vorname: Katarina · Nachname: Welmann · Werbeeinwilligung: Nein" or (
        "Vorname: Katarina" in row["new"] and "name_key" not in row["new"] and "{" not in row["new"]
    )
    assert Contact.objects.filter(pk=anna.pk).exists()


def test_codes_without_choices_read_as_names(office: Any, agent: Any) -> None:
    """A sub-type, a country and a related row's id, as the property's Historie and the merge preview
    (which reads raw field values) show them."""
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.history_display import display_value
    from maklerwerk.properties.models import Property
    from maklerwerk.properties.services import property_create, property_update

    flat = property_create(office=office, acting_user=agent, data=property_data(object_kind="wohnung"))
    property_update(prop=flat, acting_user=agent, data={"object_subtype": "MAISONETTE", "country": "AUT"})
    changes = _changes(flat)
    assert changes["Objekttyp"] == (None, "Maisonette")
    assert changes["Land"] == ("Deutschland", "Österreich")
    assert display_value(Contact, "country", "DE") == "Deutschland"
    assert display_value(Contact, "responsible_agent", agent.pk) == str(agent)
    assert display_value(Property, "object_subtype", "UNBEKANNT") == "UNBEKANNT"


def test_a_change_of_a_long_list_stores_what_was_added_and_removed_and_stays_small(
    office: Any, agent: Any
) -> None:
    from maklerwerk.core.history import LIST_LIMIT, history_record, snapshot

    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß")
    tags = [f"Interessent Objekt {i:04d}" for i in range(2000)]
    history_record(
        instance=anna, acting_user=agent, action="update",
        before=snapshot(anna, extra={"tags": tags}), after=snapshot(anna, extra={"tags": [*tags[1:], "Neu"]}),
    )  # fmt: skip
    entry = history_for(anna).first()
    assert entry is not None and len(json.dumps(entry.changes)) < 2_000  # two whole lists were ~100 KB
    change = next(c for c in entry.changes if c["field"] == "tags")
    assert change == {"field": "tags", "old": ["Interessent Objekt 0000"], "new": ["Neu"], "delta": True}
    shown = next(c for c in history_rows([entry])[0]["changes"] if c["field"] == "tags")
    assert (shown["old"], shown["new"]) == ("− Interessent Objekt 0000", "+ Neu")
    history_record(
        instance=anna, acting_user=agent, action="delete", before=snapshot(anna, extra={"tags": tags})
    )
    deleted = next(c for c in history_for(anna).first().changes if c["field"] == "tags")  # type: ignore[union-attr]  # just written
    assert len(deleted["old"]) == LIST_LIMIT + 1 and deleted["old"][-1] == f"… +{2000 - LIST_LIMIT}"


def test_the_history_tab_costs_the_same_queries_with_many_entries(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.contacts.services import contact_update

    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß")
    url = f"/contacts/{anna.pk}/"
    agent_client.get(url)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for i in range(30):
        contact_update(contact=anna, acting_user=agent, data={"remarks": f"Anruf {i}"})
    with CaptureQueriesContext(connection) as many:
        agent_client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
