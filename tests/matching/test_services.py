"""Services: history, re-matching ("Neue Treffer"), images, self-service links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maklerwerk.core.history import history_for
from maklerwerk.core.models import Activity
from maklerwerk.matching import selectors as matching_selectors
from maklerwerk.matching import services as matching_services
from maklerwerk.matching.models import AgentNotification, NewMatch, SearchProfile, SelfServiceLink
from maklerwerk.properties import services
from tests.conftest import make_user
from tests.properties.conftest import profile_data

pytestmark = pytest.mark.django_db


def test_it_records_new_matches_for_a_new_listing(make_profile: Any, make_property: Any) -> None:
    profile = make_profile()
    NewMatch.objects.all().delete()
    prop = make_property()
    match = NewMatch.objects.get()
    assert (match.property, match.profile, match.detail) == (prop, profile, "neu im Bestand")


def test_it_records_a_price_drop_only_for_newly_matching_profiles(
    make_profile: Any, make_property: Any, agent: Any
) -> None:
    prop = make_property(purchase_price=Decimal("500000"))
    already = make_profile(price_max=Decimal("600000"))
    cheap = make_profile(price_max=Decimal("430000"), name="Günstig")
    NewMatch.objects.all().delete()
    services.property_update(prop=prop, acting_user=agent, data={"purchase_price": Decimal("420000")})
    match = NewMatch.objects.get()
    assert match.profile == cheap and match.profile != already
    assert match.detail == "Preis gesenkt von 500.000 € auf 420.000 €"
    services.property_update(prop=prop, acting_user=agent, data={"title": "Neuer Titel"})
    assert NewMatch.objects.count() == 1


def test_it_records_matches_when_a_property_goes_into_marketing(
    make_profile: Any, make_property: Any, agent: Any
) -> None:
    prop = make_property(status="preparation")
    make_profile()
    assert not NewMatch.objects.exists()
    services.property_update(prop=prop, acting_user=agent, data={"status": "active"})
    assert NewMatch.objects.get().detail == "jetzt in Vermarktung"


def test_it_refuses_min_above_max_and_unknown_kinds(contact: Any, agent: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        matching_services.search_profile_create(
            contact=contact,
            acting_user=agent,
            data=profile_data(price_min=Decimal(500000), price_max=Decimal(100), object_kinds=["burg"]),
        )
    assert exc.value.message_dict["price_min"] == ["Der Mindestpreis liegt über dem Höchstpreis."]
    assert "Unbekannte Objektarten: burg" in exc.value.message_dict["object_kinds"]
    assert not SearchProfile.objects.exists()


def test_it_stops_matching_expired_and_inactive_profiles(
    make_profile: Any, make_property: Any, agent: Any
) -> None:
    prop = make_property()
    profile = make_profile()
    assert len(matching_selectors.matches_for_property(user=agent, property_id=prop.pk)) == 1
    matching_services.search_profile_update(
        profile=profile, acting_user=agent, data={"valid_until": timezone.localdate() - dt.timedelta(days=1)}
    )
    assert matching_selectors.matches_for_property(user=agent, property_id=prop.pk) == []
    assert list(matching_selectors.expired_profiles(user=agent)) == [profile]


def test_it_respects_visibility_in_matches(
    make_profile: Any, make_property: Any, agent: Any, office: Any
) -> None:
    colleague = make_user(office, "kollegin", "agent")
    prop = make_property(visibility="restricted")
    profile = make_profile()
    assert len(matching_selectors.matches_for_profile(user=agent, profile_id=profile.pk)) == 1
    assert matching_selectors.matches_for_profile(user=colleague, profile_id=profile.pk) == []
    services.property_update(prop=prop, acting_user=agent, data={}, viewers=[colleague])
    assert len(matching_selectors.matches_for_profile(user=colleague, profile_id=profile.pk)) == 1


def test_it_splits_matches_into_new_offered_and_declined(
    make_profile: Any, make_property: Any, agent: Any, contact: Any
) -> None:
    from maklerwerk.contacts.models import Contact

    prop = make_property()
    make_profile()
    declined = Contact.objects.create(office=prop.office, last_name="Absage")
    make_profile(contact=declined)
    services.property_contact_set(
        prop=prop, contact=contact, acting_user=agent, role="prospect", interest_status="expose_sent"
    )
    services.property_contact_set(
        prop=prop, contact=declined, acting_user=agent, role="prospect", interest_status="declined"
    )
    groups = matching_selectors.group_matches(
        matching_selectors.matches_for_property(user=agent, property_id=prop.pk)
    )
    assert [r.result.contact_id for r in groups["offered"]["match"]] == [contact.pk]
    assert [r.result.contact_id for r in groups["declined"]["match"]] == [declined.pk]
    assert groups["new"]["match"] == []


def test_it_stores_only_a_hash_of_the_self_service_token(contact: Any, agent: Any) -> None:
    link, token = matching_services.self_service_link_create(contact=contact, acting_user=agent)
    assert len(token) >= 43 and token not in link.token_hash
    assert matching_services.self_service_link_resolve(token) == link
    assert matching_services.self_service_link_resolve(token[:-1] + "x") is None
    SelfServiceLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert matching_services.self_service_link_resolve(token) is None


def test_a_self_service_submit_updates_the_profile_logs_and_notifies(
    make_profile: Any, contact: Any, agent: Any
) -> None:
    profile = make_profile(valid_until=timezone.localdate() - dt.timedelta(days=3))
    link, _token = matching_services.self_service_link_create(
        contact=contact, acting_user=agent, profile=profile
    )
    matching_services.self_service_submit(
        link=link, data={"price_max": Decimal("500000"), "cities": ["Offenbach am Main"]}
    )
    profile.refresh_from_db()
    assert profile.price_max == Decimal("500000") and profile.cities == ["Offenbach am Main"]
    assert not profile.is_expired
    assert Activity.objects.filter(contact=contact, subject__contains="über den persönlichen Link").exists()
    note = AgentNotification.objects.get()
    assert note.user == agent and "Suchprofil" in note.message
    assert history_for(profile)[0].note == "Vom Kontakt über persönlichen Link eingegeben"


def test_radius_matches_cross_the_map_grid_keep_near_misses_and_follow_a_move(
    make_profile: Any, make_property: Any, agent: Any
) -> None:
    from tests.properties.conftest import FRANKFURT

    # 15 km south of the search point: another tenth of a degree of latitude than the centre.
    prop = make_property(
        latitude=Decimal("49.975"), postal_code="64283", city="Darmstadt", district="",
        purchase_price=Decimal("440000"),
    )  # fmt: skip
    profile = make_profile(cities=[], radius_km=Decimal("20"), latitude=FRANKFURT[0], longitude=FRANKFURT[1])
    [row] = matching_selectors.matches_for_profile(user=agent, profile_id=profile.pk)
    assert (row.property, row.result.kind) == (prop, "near_miss")  # price 5 % over, within tolerance
    assert [r.profile for r in matching_selectors.matches_for_property(user=agent, property_id=prop.pk)] == [
        profile
    ]
    services.property_update(prop=prop, acting_user=agent, data={"latitude": Decimal("49.70")})  # 46 km
    assert matching_selectors.matches_for_profile(user=agent, profile_id=profile.pk) == []
    assert matching_selectors.matches_for_property(user=agent, property_id=prop.pk) == []


def test_a_place_profile_matches_only_its_marketing_type(
    make_profile: Any, make_property: Any, agent: Any
) -> None:
    prop = make_property()
    profile = make_profile(marketing_type="miete_pacht", price_max=Decimal("1500"))
    assert matching_selectors.matches_for_property(user=agent, property_id=prop.pk) == []
    matching_services.search_profile_update(
        profile=profile, acting_user=agent, data={"marketing_type": "kauf", "price_max": Decimal("420000")}
    )
    assert [r.profile for r in matching_selectors.matches_for_property(user=agent, property_id=prop.pk)] == [
        profile
    ]
