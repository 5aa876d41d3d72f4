"""The property page hosts what other features add: document sharing, the exposé, the offer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_property_page_shows_sharing_tab_and_expose_action(
    agent_client: Client, make_property: Any
) -> None:
    prop = make_property()
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert "Freigaben" in html and f'hx-get="/sharing/property/{prop.pk}/tab/"' in html
    assert f'href="/exposes/property/{prop.pk}/"' in html
    tab = agent_client.get(f"/sharing/property/{prop.pk}/tab/", headers={"HX-Request": "true"})
    assert tab.status_code == 200


def test_the_match_selection_hands_contacts_to_the_offer(
    agent_client: Client, make_property: Any, make_profile: Any, contact: Any
) -> None:
    prop = make_property()
    make_profile()
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert 'action="/exposes/offers/new/"' in html and "Exposé an die Ausgewählten senden" in html
    offer = agent_client.get("/exposes/offers/new/", {"property": prop.pk, "contact_ids": [contact.pk]})
    assert offer.status_code == 200
    assert contact.last_name in offer.content.decode()
