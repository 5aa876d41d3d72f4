"""Personal search-profile links can be listed and revoked (HTML and API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from maklerwerk.accounts.models import User
from maklerwerk.core.models import Activity
from maklerwerk.matching import services as matching_services
from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_an_agent_sees_the_contacts_links_and_revokes_one(agent_client: Client, contact: Any) -> None:
    html = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/self-service/", follow=True
    ).content.decode()
    url = html.split('id="self-service-url">')[1].split("<")[0]
    assert Client().get(url).status_code == 200
    tab = agent_client.get(f"/properties/contact-tab/{contact.pk}/").content.decode()
    assert "Persönliche Links" in tab and "Widerrufen" in tab
    user = agent_client.get("/").wsgi_request.user
    assert isinstance(user, User)
    link = matching_services.selectors.self_service_link_list(user=user).get()
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/self-service/{link.pk}/revoke/", follow=True
    )
    assert "Der persönliche Link wurde widerrufen" in response.content.decode()
    assert "nicht mehr gültig" in agent_client.get(f"/properties/contact-tab/{contact.pk}/").content.decode()
    gone = Client().get(url)
    assert gone.status_code == 404 and "Dieser Link ist nicht (mehr) gültig." in gone.content.decode()
    assert Activity.objects.filter(
        subject="Persönlicher Suchprofil-Link widerrufen", contact=contact
    ).exists()


def test_the_api_lists_and_revokes_links_within_the_office(
    contact: Any, agent: Any, readonly_user: Any, outsider: Any
) -> None:
    link, token = matching_services.self_service_link_create(contact=contact, acting_user=agent)
    api = api_client_for(agent)
    listed = api.get("/api/v1/self-service-links", {"contact_id": contact.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["active"] is True
    assert "token" not in listed["items"][0] and "token_hash" not in listed["items"][0]
    assert api_client_for(outsider).get("/api/v1/self-service-links").json()["count"] == 0
    assert_problem(api_client_for(outsider).post(f"/api/v1/self-service-links/{link.pk}/revoke"), 404)
    assert_problem(api_client_for(readonly_user).post(f"/api/v1/self-service-links/{link.pk}/revoke"), 403)
    assert Client().get(f"/properties/s/{token}/").status_code == 200
    revoked = api.post(f"/api/v1/self-service-links/{link.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert Client().get(f"/properties/s/{token}/").status_code == 404
