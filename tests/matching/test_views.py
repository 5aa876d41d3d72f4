"""HTML pages: German UI, roles, office scoping, images, contact tab, self-service form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from maklerwerk.matching import services as matching_services
from maklerwerk.matching.models import SearchProfile, SelfServiceLink
from maklerwerk.properties import services
from maklerwerk.properties.models import PropertyImage
from tests.conftest import RATE_LIMIT_INSTANT

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_detail_page_lists_matching_profiles_with_explanations(
    agent_client: Client, make_property: Any, make_profile: Any
) -> None:
    prop = make_property(purchase_price=440000)
    make_profile()
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert "Passende Suchprofile" in html and "Erika Mustermann" in html
    assert "Preis 5 % über Maximum" in html and "Knapp daneben" in html
    assert "Bereits angeboten" in html and "Abgesagt" in html


def test_the_contact_tab_shows_roles_profiles_and_matches(
    agent_client: Client, make_property: Any, make_profile: Any, contact: Any, agent: Any
) -> None:
    prop = make_property()
    make_profile()
    services.property_contact_set(prop=prop, contact=contact, acting_user=agent, role="owner")
    html = agent_client.get(f"/properties/contact-tab/{contact.pk}/").content.decode()
    assert "Interesse und Verwaltung" in html and "Eigentümer" in html
    assert (
        "Wohnung Frankfurt" in html
        and "1 Treffer" in html
        and "Frankfurt am Main liegt im Suchgebiet" in html
    )
    partial = agent_client.get(
        f"/properties/contact-tab/{contact.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and "Suchprofile" in partial


def test_the_contact_tab_is_registered_for_the_contact_page() -> None:
    from maklerwerk.core.tabs import TABS

    tab = TABS[("contact", "properties")]
    assert str(tab.label) == "Immobilien" and tab.template == "matching/_contact_tab.html"


def test_the_profile_form_shows_min_above_max_in_german(agent_client: Client, contact: Any) -> None:
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/profiles/new/",
        {"marketing_type": "kauf", "price_min": "500000", "price_max": "100000", "postal_codes": "6031x"},
    )
    html = response.content.decode()
    assert "Der Mindestpreis liegt über dem Höchstpreis." in html and "Keine Postleitzahl: 6031x" in html
    assert not SearchProfile.objects.exists()
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/profiles/new/",
        {
            "name": "Haus im Grünen",
            "marketing_type": "kauf",
            "object_kinds": ["haus"],
            "object_kinds_must": "on",
            "price_max": "600000",
            "cities": "Bad Homburg, Oberursel",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert SearchProfile.objects.get().cities == ["Bad Homburg", "Oberursel"]


def test_a_radius_is_drawn_around_a_postal_code_or_place_not_typed_coordinates(
    agent_client: Client, contact: Any
) -> None:
    url = f"/properties/contact-tab/{contact.pk}/profiles/new/"
    form = agent_client.get(url).content.decode()
    assert "Umkreis um" in form and "Breitengrad" not in form
    base = {"name": "Nahe Dom", "marketing_type": "kauf", "active": "on"}
    unknown = agent_client.post(url, {**base, "radius_km": "5", "radius_centre": "Atlantis"}).content.decode()
    assert "„Atlantis“ ist keine bekannte deutsche PLZ" in unknown
    missing = agent_client.post(url, {**base, "radius_km": "5"}).content.decode()
    assert "Für den Umkreis bitte eine PLZ oder einen Ort angeben." in missing
    no_km = agent_client.post(url, {**base, "radius_centre": "50667"}).content.decode()
    assert "Wie viele Kilometer um 50667?" in no_km
    assert not SearchProfile.objects.exists()
    created = agent_client.post(url, {**base, "radius_km": "5", "radius_centre": "50667 Köln"})
    assert created.status_code == 302
    profile = SearchProfile.objects.get()
    assert (profile.latitude, profile.longitude) == (Decimal("50.940500"), Decimal("6.944100"))
    edit = agent_client.get(f"/properties/profiles/{profile.pk}/edit/").content.decode()
    assert 'value="50667"' in edit  # the stored point is shown as the postcode it came from
    moved = agent_client.post(
        f"/properties/profiles/{profile.pk}/edit/",
        {**base, "radius_km": "10", "radius_centre": "Frankfurt-Bornheim"},
    )
    assert moved.status_code == 302
    profile.refresh_from_db()
    # No point of its own for the district: Frankfurt's.
    assert (profile.latitude, profile.longitude) == (Decimal("50.115500"), Decimal("8.684200"))


def test_the_self_service_form_creates_the_profile(agent_client: Client, contact: Any, agent: Any) -> None:
    response = agent_client.post(f"/properties/contact-tab/{contact.pk}/self-service/", follow=True)
    html = response.content.decode()
    assert "Persönlicher Link für den Kontakt" in html
    url = html.split('id="self-service-url">')[1].split("<")[0]
    public = Client()
    page = public.get(url)
    assert (
        page.status_code == 200
        and "Ihr Suchprofil" in page.content.decode()
        and "Erika Mustermann" in page.content.decode()
    )
    done = public.post(
        url,
        {
            "marketing_type": "kauf",
            "object_kinds": ["wohnung"],
            "price_max": "380000",
            "cities": "Frankfurt am Main",
        },
    )
    assert "Vielen Dank, Ihr Suchprofil ist gespeichert." in done.content.decode()
    profile = SearchProfile.objects.get()
    assert profile.contact == contact and profile.price_max == 380000
    assert (
        "hat über den persönlichen Link ein Suchprofil angelegt"
        in agent_client.get("/properties/new-matches/widget/").content.decode()
    )


def test_forged_and_expired_tokens_get_one_friendly_page(contact: Any, agent: Any) -> None:
    link, token = matching_services.self_service_link_create(contact=contact, acting_user=agent)
    public = Client()
    forged = public.get("/properties/s/" + "A" * 43 + "/")
    assert forged.status_code == 404 and "Dieser Link ist nicht (mehr) gültig." in forged.content.decode()
    SelfServiceLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = public.post(f"/properties/s/{token}/", {"price_max": "1"})
    assert expired.status_code == 404 and expired.content == forged.content
    assert "Erika" not in expired.content.decode() and not SearchProfile.objects.exists()


@pytest.mark.ratelimit
def test_the_self_service_form_is_rate_limited(db: None) -> None:
    cache.clear()
    public = Client()
    with time_machine.travel(RATE_LIMIT_INSTANT, tick=False):
        statuses = [public.get("/properties/s/unknown-token/").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_the_dashboard_counts_new_matches(
    agent_client: Client, make_profile: Any, make_property: Any
) -> None:
    make_profile()
    make_property()
    html = agent_client.get("/").content.decode()
    assert 'data-counter="new_matches">1<' in html  # one profile, one property: one pair
    widget = agent_client.get("/properties/new-matches/widget/").content.decode()
    assert "neu im Bestand" in widget
    agent_client.post("/properties/new-matches/seen/")
    assert "Keine neuen Treffer." in agent_client.get("/properties/new-matches/widget/").content.decode()


def test_a_match_offered_since_is_no_longer_new(
    agent_client: Client, agent: Any, make_profile: Any, make_property: Any
) -> None:
    from maklerwerk.core.models import Activity
    from maklerwerk.core.services import activity_create

    profile = make_profile()
    prop = make_property()
    assert 'data-counter="new_matches">1<' in agent_client.get("/").content.decode()
    activity_create(
        office=agent.office,
        type=Activity.Type.EXPOSE_SENT,
        subject="Exposé",
        acting_user=agent,
        contact_id=profile.contact_id,
        property_id=prop.pk,
    )
    assert 'data-counter="new_matches">0<' in agent_client.get("/").content.decode()
    widget = agent_client.get("/properties/new-matches/widget/").content.decode()
    assert "Keine neuen Treffer." in widget


def test_seed_demo_fills_the_match_lists(db: None) -> None:
    from django.core.management import call_command

    from maklerwerk.matching.models import NewMatch
    from maklerwerk.properties.models import Property

    call_command("seed_demo", "--properties", "4", "--search-profiles", "8", "--activities", "0", verbosity=0)
    assert Property.objects.count() == 4 and PropertyImage.objects.count() >= 8
    assert SearchProfile.objects.count() == 8 and NewMatch.objects.exists()
    call_command("seed_demo", "--properties", "4", "--search-profiles", "8", "--activities", "0", verbosity=0)
    assert Property.objects.count() == 4 and SearchProfile.objects.count() == 8
