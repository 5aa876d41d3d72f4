"""The property selectors other apps ask (inquiries, imports, portals, sharing): a Kennung finds the
office's property in any case and nothing of another office, marketing needs "active" and sight of
the property, and the visibility checks answer like the one rule in `visible_to`."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from maklerwerk.properties import selectors
from tests.conftest import make_user
from tests.properties.visibility_world import MARK, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_a_kennung_finds_the_offices_property_in_any_case_and_only_there(
    world: World, other_office: Any
) -> None:
    from maklerwerk.properties.models import Property

    kennung = f"G-{MARK}"
    theirs = Property.objects.create(office=other_office, external_id="G-FREMD", title="Fremd")
    find = selectors.property_by_reference
    assert find(office_id=world.office.pk, external_id=f"  {kennung.lower()} ") == world.prop
    assert find(office_id=world.office.pk, external_id="G-FREMD") is None
    assert find(office_id=other_office.pk, external_id="g-fremd") == theirs
    assert find(office_id=world.office.pk, external_id="") is None
    assert find(office_id=world.office.pk, external_id="   ") is None

    many = selectors.properties_by_reference
    assert many(office_id=world.office.pk, external_ids=[kennung.upper(), " G-FREMD ", "G-UNBEKANNT"]) == {
        kennung.lower(): world.prop
    }
    assert many(office_id=other_office.pk, external_ids=["g-fremd"]) == {"g-fremd": theirs}
    assert many(office_id=world.office.pk, external_ids=["", "  "]) == {}


def test_marketing_needs_an_active_property_the_user_may_see(world: World) -> None:
    from maklerwerk.properties.models import Property

    marketable = selectors.property_is_marketable_for
    assert marketable(user=world.owner, property_id=world.prop.pk)
    assert marketable(user=world.admin, property_id=world.prop.pk)
    assert not marketable(user=world.colleague, property_id=world.prop.pk)  # restricted: not theirs
    Property.objects.filter(pk=world.prop.pk).update(status="reserved")
    assert not marketable(user=world.owner, property_id=world.prop.pk)


@pytest.mark.parametrize(
    ("who", "sees"),
    [("admin", True), ("owner", True), ("viewer", True), ("colleague", False), ("reader", False)],
)
def test_the_single_checks_answer_like_the_rule(world: World, who: str, sees: bool) -> None:
    user = getattr(world, who)
    assert world.prop.is_visible_to(user) is sees
    assert selectors.property_visible(user, world.prop.pk) is sees
    if sees:
        selectors.require_property_visible(user, world.prop.pk)
    else:
        with pytest.raises(Http404):
            selectors.require_property_visible(user, world.prop.pk)
    selectors.require_property_visible(user, None)  # rows without a property are not hidden
    assert selectors.property_visible(user, None) is False  # but "no property" is not one to see


def test_an_administrator_of_another_office_sees_nothing_by_id(world: World, other_office: Any) -> None:
    stranger = make_user(other_office, "fremdchef", "admin")
    assert world.prop.is_visible_to(stranger) is False
    assert selectors.property_visible(stranger, world.prop.pk) is False
    assert selectors.property_visible(world.admin, "kein-id") is False  # type: ignore[arg-type]  # junk from a form
    with pytest.raises(Http404):
        selectors.require_property_visible(stranger, world.prop.pk)


def test_only_the_prospect_role_is_a_prospect_link(world: World) -> None:
    from maklerwerk.properties.models import PropertyContact

    link = selectors.prospect_link_get(property_id=world.prop.pk, contact_id=world.contact.pk)
    assert link is not None and link.role == "prospect"
    PropertyContact.objects.filter(pk=link.pk).update(role="owner")
    assert selectors.prospect_link_get(property_id=world.prop.pk, contact_id=world.contact.pk) is None


@pytest.mark.parametrize(
    ("name", "value", "fits"),
    [
        ("object_kind", "wohnung", True),
        ("object_kind", "raumschiff", False),
        ("marketing_type", "kauf", True),
        ("title", "irgendein Text", True),
        ("no_such_field", "x", False),
        ("images", [], False),  # a reverse relation, not a value of the property
    ],
)
def test_importers_learn_which_values_fit_a_property(name: str, value: object, fits: bool) -> None:
    assert selectors.property_value_fits(name, value) is fits
