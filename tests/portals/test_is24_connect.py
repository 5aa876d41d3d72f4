"""IS24 connect per user: an agent connects their own ImmobilienScout24 account (OAuth 1.0a
three-legged against the stand-in, requests-oauthlib); their new listings go there, the others
to the office's account, and a listing already online stays where it is (never listed twice)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from maklerwerk.portals import services
from maklerwerk.portals.models import Is24Connection, PortalAssignment
from tests.portals.conftest import is24_portal_data, make_listing

pytestmark = pytest.mark.django_db(transaction=True)


def connect(client: Client, portal_pk: int) -> str:
    """Click "Mein IS24-Konto verbinden", confirm at the stand-in, follow it back; the page text."""
    response = client.post(f"/portals/{portal_pk}/is24/connect/")
    assert response.status_code == 302 and "/restapi/security/oauth/confirm_access" in response["Location"]
    confirmed = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert confirmed.status_code == 302, confirmed.text
    back = urlsplit(confirmed.headers["Location"])
    return client.get(f"{back.path}?{back.query}", follow=True).content.decode()


def test_an_agent_connects_their_own_account_and_their_listings_go_there(
    office, admin_user, agent, listing, is24
):
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assert is24["app"].by_external_id("testbuero", "MW-0001") is not None  # the office's account

    client = Client()
    client.force_login(agent)
    assert "Mein IS24-Konto verbinden" in client.get("/portals/").content.decode()
    is24["app"].approve_as = "anna-makler"
    page = connect(client, portal.pk)
    assert "Ihr ImmobilienScout24-Konto ist verbunden" in page and "Mein IS24-Konto" in page
    connection = Is24Connection.objects.get(portal=portal, user=agent)
    assert connection.access_token and connection.get_secret()
    assert connection.access_secret_encrypted != connection.get_secret()  # stored encrypted

    # A new listing of the agent goes to the agent's account; the one already online stays put.
    second = make_listing(office, agent, "MW-0002")
    services.property_portals_set(prop=second, portal_ids=[portal.pk], acting_user=agent)
    listing.purchase_price = Decimal("340000")
    listing.save()
    services.transfer_start(portal=portal, full=False, acting_user=agent)
    assert [r["body"]["externalId"] for r in is24["app"].listings("anna-makler").values()] == ["MW-0002"]
    assert is24["app"].by_external_id("anna-makler", "MW-0002") is not None
    assert is24["app"].by_external_id("anna-makler", "MW-0001") is None  # never twice
    assert is24["app"].by_external_id("testbuero", "MW-0001")["body"]["price"]["value"] == 340000.0
    accounts = set(PortalAssignment.objects.values_list("is24_account", flat=True))
    assert accounts == {"office", f"user:{agent.pk}"}

    # Withdrawn: deleted in the account it lives in.
    services.property_portals_set(prop=second, portal_ids=[], acting_user=agent)
    assert is24["app"].listings("anna-makler") == {}

    page = client.post(f"/portals/{portal.pk}/is24/disconnect/", follow=True).content.decode()
    assert "nicht mehr verbunden" in page and not Is24Connection.objects.exists()


def test_a_forged_return_from_is24_connects_nothing(office, admin_user, agent, is24):
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    client = Client()
    client.force_login(agent)
    page = client.get(
        f"/portals/{portal.pk}/is24/callback/?oauth_token=fremd&oauth_verifier=x", follow=True
    ).content.decode()
    assert "wurde nicht bestätigt" in page and not Is24Connection.objects.exists()


def test_an_agent_of_another_office_cannot_connect_to_this_portal(office, admin_user, outsider, is24):
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/portals/{portal.pk}/is24/connect/").status_code == 404
