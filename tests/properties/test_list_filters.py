"""The property list's search and filters as an agent uses them, each narrowing to exactly the
properties it names; the match price follows the marketing type; codes show as German names; and
rows hanging off properties hide exactly what the user may not see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from maklerwerk.properties.models import Property, PropertyContact
from maklerwerk.properties.selectors import contact_roles, property_contacts, property_hidden_q, property_list
from tests.properties.visibility_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def listed(world: World) -> dict[str, Any]:
    """Three office-wide properties besides the world's restricted one."""

    def make(kennung: str, **data: Any) -> Any:
        prop = Property(office=world.office, external_id=kennung, visibility="office", **data)
        prop.refresh_match_fields()
        prop.save()
        return prop

    return {
        "altbau": make(
            "K-1", title="Altbau mit Stuck", object_kind="wohnung", marketing_type="kauf", status="active",
            city="Köln", street="Venloer Straße", postal_code="50823", purchase_price=Decimal("350000"),
            rooms=Decimal("3"),
        ),
        "haus": make(
            "B-2", title="Reihenhaus", object_kind="haus", marketing_type="miete_pacht", status="reserved",
            city="Bonn", street="Gartenweg", postal_code="53111", cold_rent=Decimal("1400"),
            rooms=Decimal("5"),
        ),
        "loft": make(
            "K-3", title="Loft", object_kind="wohnung", marketing_type="miete_pacht", status="active",
            city="Köln-Ehrenfeld", street="Hansemannstraße", postal_code="50825", cold_rent=Decimal("900"),
            rooms=Decimal("2"),
        ),
    }  # fmt: skip


def _found(user: Any, **filters: Any) -> set[str]:
    return {p.external_id for p in property_list(user=user, **filters) if p.external_id[:2] in ("K-", "B-")}


def test_each_filter_narrows_to_what_it_names(world: World, listed: dict[str, Any]) -> None:
    user = world.colleague
    assert _found(user) == {"K-1", "B-2", "K-3"}
    assert _found(user, q="stuck") == {"K-1"}  # title
    assert _found(user, q="b-2") == {"B-2"}  # Kennung
    assert _found(user, q="ehrenfeld") == {"K-3"}  # city
    assert _found(user, q="gartenweg") == {"B-2"}  # street
    assert _found(user, q="5082") == {"K-1", "K-3"}  # postcode prefix
    assert _found(user, q="0823") == set()  # a postcode only from its start
    assert _found(user, status="reserved") == {"B-2"}
    assert _found(user, object_kind="haus") == {"B-2"}
    assert _found(user, marketing_type="kauf") == {"K-1"}
    assert _found(user, city="köln") == {"K-1", "K-3"}
    assert _found(user, price_max=Decimal("1000")) == {"K-3"}  # a rent under 1,000, not the house
    assert _found(user, price_max=Decimal("400000")) == {"K-1", "B-2", "K-3"}
    assert _found(user, rooms_min=Decimal("3")) == {"K-1", "B-2"}
    assert _found(user, q="köln", marketing_type="miete_pacht", rooms_min=Decimal("2")) == {"K-3"}


def test_the_match_price_is_the_price_of_the_marketing_type(world: World) -> None:
    prop = Property(
        office=world.office, marketing_type="kauf", purchase_price=Decimal("1"), cold_rent=Decimal("2")
    )
    prop.refresh_match_fields()
    assert prop.match_price == Decimal("1")
    prop.marketing_type = "miete_pacht"
    prop.refresh_match_fields()
    assert prop.match_price == Decimal("2")


def test_codes_show_as_german_names() -> None:
    with translation.override("de"):
        assert Property(features=["balkon", "garten", "neu-im-import"]).get_features_display() == [
            "Balkon",
            "Garten",
            "neu-im-import",  # an unknown code stays readable as it is
        ]
        assert Property.history_value("object_subtype", "MAISONETTE") == "Maisonette"
    assert Property.history_value("object_subtype", "GIBT-ES-NICHT") is None
    assert Property.history_value("title", "MAISONETTE") is None  # only the sub-type is a code


def test_rows_of_hidden_properties_are_hidden_and_only_those(world: World, listed: dict[str, Any]) -> None:
    everything = set(Property.objects.filter(office=world.office).values_list("pk", flat=True))
    for who, hidden in (("admin", set()), ("owner", set()), ("colleague", {world.prop.pk})):
        user = getattr(world, who)
        shown = Property.objects.filter(office=world.office).exclude(property_hidden_q(user, "pk"))
        assert set(shown.values_list("pk", flat=True)) == everything - hidden, who


def test_a_contacts_roles_show_only_on_properties_the_user_may_see(
    world: World, listed: dict[str, Any]
) -> None:
    PropertyContact.objects.create(
        office=world.office, property=listed["haus"], contact=world.contact, role="owner"
    )
    mine = {r.property.external_id for r in contact_roles(user=world.owner, contact_id=world.contact.pk)}
    theirs = {
        r.property.external_id for r in contact_roles(user=world.colleague, contact_id=world.contact.pk)
    }
    assert mine == {world.prop.external_id, "B-2"} and theirs == {"B-2"}
    assert not contact_roles(user=world.owner, contact_id=world.admin.pk + 10_000).exists()


def test_a_propertys_contacts_are_listed_by_role_then_name(world: World, listed: dict[str, Any]) -> None:
    from maklerwerk.contacts.models import Contact

    prop = listed["altbau"]

    def link(last: str, role: str) -> None:
        contact = Contact.objects.create(office=world.office, first_name="A", last_name=last)
        PropertyContact.objects.create(office=world.office, property=prop, contact=contact, role=role)

    link("Zander", "owner")
    link("Becker", "prospect")
    link("Adler", "prospect")
    link("Meyer", "owner")
    rows = [(r.role, r.contact.last_name) for r in property_contacts(prop=prop)]
    assert rows == [("owner", "Meyer"), ("owner", "Zander"), ("prospect", "Adler"), ("prospect", "Becker")]
