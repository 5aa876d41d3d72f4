"""Lists from the navigation: offers (Angebote) at /exposes/, search profiles; property quick actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.contacts.conftest import make_contact
from tests.properties.conftest import profile_data, property_data

pytestmark = pytest.mark.django_db


def test_the_navigation_leads_to_offers_and_search_profiles(agent_client: Client) -> None:
    page = agent_client.get("/").content.decode()
    assert 'href="/exposes/"' in page and ">Angebote<" in page
    assert 'href="/properties/profiles/"' in page and ">Suchprofile<" in page
    profiles = agent_client.get("/properties/profiles/").content.decode()
    # Only "Suchprofile" is the active entry, not "Immobilien" too.
    assert profiles.count('aria-current="page"') == 1
    assert (
        'aria-current="page">\n              <span class="nav-link-icon"><i class="ti ti-zoom-check"'
        in profiles
    )


def test_exposes_is_a_list_of_offers_with_what_went_out(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.exposes.models import Offer, OfferRecipient
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.properties.services import property_create

    assert "Noch keine Angebote" in agent_client.get("/exposes/").content.decode()
    template = MailTemplate.objects.create(office=office, name="Exposé-Versand", subject="x", body="x")
    flat = property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0021"))
    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß")
    bernd = make_contact(office, agent, first_name="Bernd", last_name="Krause")
    offer = Offer.objects.create(
        office=office, mail_template=template, subject="Ihr Exposé: Nordend", body="x", created_by=agent
    )
    OfferRecipient.objects.create(offer=offer, contact=anna, property=flat, status="sent")
    OfferRecipient.objects.create(offer=offer, contact=bernd, property=flat, status="failed")
    page = agent_client.get("/exposes/").content.decode()
    assert "Ihr Exposé: Nordend" in page and "MW-0021" in page
    assert (
        "1 versendet" in page and "1 fehlgeschlagen" in page and f'href="/exposes/offers/{offer.pk}/"' in page
    )
    found = agent_client.get(
        "/exposes/", {"q": "krause"}, headers={"HX-Request": "true", "HX-Target": "offer-results"}
    )
    assert "Ihr Exposé: Nordend" in found.content.decode() and "<html" not in found.content.decode()
    assert "Keine Angebote gefunden" in agent_client.get("/exposes/", {"q": "Villa"}).content.decode()
    outsider = make_user(office, "kollege2", "readonly")
    client = Client()
    client.force_login(outsider)
    assert "Ihr Exposé: Nordend" in client.get("/exposes/").content.decode()  # reading is enough


def test_search_profiles_list_searches_and_hides_inactive_ones(
    office: Any, agent: Any, agent_client: Client, other_office: Any
) -> None:
    from maklerwerk.matching.services import search_profile_create

    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß")
    search_profile_create(contact=anna, acting_user=agent, data=profile_data(name="Altbau Nordend"))
    search_profile_create(
        contact=anna, acting_user=agent, data=profile_data(name="Alt: Haus Taunus", active=False)
    )
    stranger = make_contact(other_office, None, last_name="Fremd")
    search_profile_create(contact=stranger, acting_user=None, data=profile_data(name="Fremdes Profil"))
    page = agent_client.get("/properties/profiles/").content.decode()
    assert "Altbau Nordend" in page and "Anna Weiß" in page and "Kauf" in page and "Frankfurt am Main" in page
    assert "Alt: Haus Taunus" not in page and "Fremdes Profil" not in page
    assert "Alt: Haus Taunus" in agent_client.get("/properties/profiles/", {"state": "all"}).content.decode()
    assert "Altbau Nordend" in agent_client.get("/properties/profiles/", {"q": "weiß"}).content.decode()
    assert (
        "Keine Suchprofile gefunden"
        in agent_client.get("/properties/profiles/", {"q": "xyz"}).content.decode()
    )


def test_the_property_list_has_quick_actions_for_expose_and_matches(
    office: Any, agent: Any, agent_client: Client
) -> None:
    from maklerwerk.properties.services import property_create

    flat = property_create(office=office, acting_user=agent, data=property_data())
    page = agent_client.get("/properties/").content.decode()
    assert f'href="/properties/{flat.pk}/#matches"' in page and f'href="/exposes/property/{flat.pk}/"' in page
    assert f'href="/exposes/property/{flat.pk}/pdf/"' in page and "Exposé als PDF" in page


def test_the_offer_list_pages_and_keeps_the_search(office: Any, agent: Any, agent_client: Client) -> None:
    from maklerwerk.exposes.models import Offer
    from maklerwerk.mailing.models import MailTemplate

    template = MailTemplate.objects.create(office=office, name="Exposé-Versand", subject="x", body="x")
    Offer.objects.bulk_create(
        Offer(
            office=office, mail_template=template, subject=f"Angebot Altbau {i}", body="x", created_by=agent
        )
        for i in range(60)
    )
    first = agent_client.get("/exposes/", {"q": "Altbau"}).content.decode()
    assert "1 / 2" in first and 'href="?q=Altbau&amp;page=2"' in first
    second = agent_client.get("/exposes/", {"q": "Altbau", "page": "2"}).content.decode()
    assert "2 / 2" in second and 'href="?q=Altbau&amp;page=1"' in second
