"""Who sees a restricted property: its responsible agent, the administrators and its chosen viewers;
nobody else in the office, whatever their role. Asked through the list, the page, the API, matching
and the rows hanging off the property, so a shortcut in the one rule (`visible_to`) shows up here."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import api_client_for, make_user
from tests.properties.visibility_world import MARK, World, build_world

pytestmark = pytest.mark.django_db

SEES = ["admin", "owner", "viewer", "viewer_agent"]
DOES_NOT_SEE = ["colleague", "reader", "backoffice"]


@pytest.fixture
def world() -> World:
    from maklerwerk.properties.models import PropertyViewer

    w = build_world()
    w.objects["backoffice"] = make_user(w.office, "hinten", "backoffice")
    w.objects["viewer_agent"] = make_user(w.office, "mitmaklerin", "agent")
    PropertyViewer.objects.create(property=w.prop, user=w.viewer_agent)
    return w


def persona(world: World, name: str) -> Any:
    return getattr(world, name)


def _sees(world: World, user: Any) -> dict[str, bool]:
    from maklerwerk.matching.selectors import matches_for_profile
    from maklerwerk.properties.selectors import property_list, property_visible

    client = Client()
    client.force_login(user)
    api = api_client_for(user)
    page = client.get(f"/properties/{world.prop.pk}/")
    shares = api.get(f"/api/v1/shares?property_id={world.prop.pk}").json()
    return {
        "selector": world.prop in property_list(user=user),
        "property_visible": property_visible(user, world.prop.pk),
        "list page": MARK in client.get("/properties/").content.decode(),
        "page": page.status_code == 200 and MARK in page.content.decode(),
        "api list": MARK in api.get("/api/v1/properties").content.decode(),
        "api": api.get(f"/api/v1/properties/{world.prop.pk}").status_code == 200,
        "share links": shares["count"] == 1,
        "activities": MARK in api.get(f"/api/v1/activities?property_id={world.prop.pk}").content.decode(),
        "matching": any(
            r.property == world.prop for r in matches_for_profile(user=user, profile_id=world.profile.pk)
        ),
    }


@pytest.mark.parametrize("who", SEES)
def test_the_agent_the_administrators_and_the_chosen_viewers_see_it_everywhere(
    world: World, who: str
) -> None:
    seen = _sees(world, persona(world, who))
    assert all(seen.values()), {k: v for k, v in seen.items() if not v}


@pytest.mark.parametrize("who", DOES_NOT_SEE)
def test_other_colleagues_see_it_nowhere_whatever_their_role(world: World, who: str) -> None:
    seen = _sees(world, persona(world, who))
    assert not any(seen.values()), {k: v for k, v in seen.items() if v}


def test_an_office_wide_property_is_seen_by_everyone(world: World) -> None:
    from maklerwerk.properties.models import Property
    from maklerwerk.properties.selectors import property_list

    Property.objects.filter(pk=world.prop.pk).update(visibility="office")
    for who in SEES + DOES_NOT_SEE:
        assert world.prop in property_list(user=persona(world, who)), who


def test_administrators_of_another_office_do_not_see_it(world: World, other_office: Any) -> None:
    from maklerwerk.properties.selectors import property_visible

    stranger = make_user(other_office, "fremdchef", "admin")
    assert not property_visible(stranger, world.prop.pk)
    assert api_client_for(stranger).get(f"/api/v1/properties/{world.prop.pk}").status_code == 404


def _counters(user: Any) -> dict[str, int]:
    import re

    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    return {k: int(v) for k, v in re.findall(r'data-counter="([\w-]+)">(\d+)<', html)}


def test_dashboard_counters_leave_out_what_the_user_may_not_see(world: World) -> None:
    # The world has exactly one of each about the restricted property: an active property, an open
    # task, an open inquiry, an unseen new match; and activities (link created, consent, view, note).
    owner, colleague = _counters(world.owner), _counters(world.colleague)
    assert owner["properties"] == 1 and colleague["properties"] == 0
    assert owner["new_matches"] == 1 and colleague["new_matches"] == 0
    assert owner["inquiries_open"] == 1 and colleague["inquiries_open"] == 0
    assert owner["open_tasks"] == 2 and colleague["open_tasks"] == 1  # the contact's call-back stays
    assert owner["activities"] > colleague["activities"] == 0
    assert _counters(world.admin) == owner
