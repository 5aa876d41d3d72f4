"""Behind a reverse proxy (PROXY_COUNT=1) every feature sees the real client, not the proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from maklerwerk.core.net import client_ip

PROXY = "10.0.0.2"


def proxied(client_addr: str, forged: str = "") -> Client:
    """A browser at `client_addr` reaching us through one nginx (`$proxy_add_x_forwarded_for`)."""
    chain = f"{forged}, {client_addr}" if forged else client_addr
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", PROXY),  # no proxy configured: the header is the client's word, ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # a forged entry on the left is skipped
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: not trustworthy
        (1, "", PROXY),
        (1, "kein-ip", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_nth_address_from_the_right(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_five_wrong_logins_behind_the_proxy_lock_out_only_that_client(agent: Any, settings: Any) -> None:
    settings.AXES_ENABLED = True
    settings.PROXY_COUNT = 1
    attacker = proxied("203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/login/", {"username": "makler", "password": "falsch"})
    locked = attacker.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"})
    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in locked.content.decode()
    # The real agent, at another address behind the same proxy, still logs in.
    colleague = proxied("198.51.100.7")
    response = colleague.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"})
    assert response.status_code == 302 and "_auth_user_id" in colleague.session
    # Forging another address on the left does not help the attacker.
    forged = proxied("203.0.113.5", forged="192.0.2.1")
    assert forged.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"}).status_code == 429


@pytest.mark.django_db
def test_rate_limits_count_each_client_behind_the_proxy(settings: Any) -> None:
    cache.clear()
    settings.PROXY_COUNT = 1
    settings.SHARING_RATE_LIMIT = "3/m"
    url = "/sharing/d/" + "B" * 43 + "/"
    busy = proxied("203.0.113.5")
    assert [busy.get(url).status_code for _ in range(4)] == [404, 404, 404, 429]
    assert proxied("198.51.100.7").get(url).status_code == 404


@pytest.mark.django_db
def test_a_consent_behind_the_proxy_records_the_clients_network(
    office: Any, agent: Any, settings: Any
) -> None:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property
    from maklerwerk.sharing.models import ConsentAcceptance
    from maklerwerk.sharing.services import share_link_create
    from tests.sharing.conftest import add_document, public_path

    cache.clear()
    settings.PROXY_COUNT = 1
    office.terms_text = "Es gelten unsere AGB."
    office.cancellation_notice_text = "Widerrufsbelehrung."
    office.save()
    prop = Property.objects.create(office=office, external_id="W-1", title="Altbau")
    add_document(prop, "Grundbuchauszug", b"%PDF-1.4 grundbuch")
    prospect = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    link = share_link_create(office=office, contact=prospect, property=prop, acting_user=agent)
    visitor = proxied("203.0.113.77")
    consent_url = public_path(link) + "consent/"
    response = visitor.post(consent_url, {"accept_notice": "1", "accept_terms": "1"})
    assert response.status_code == 302, response.content
    assert ConsentAcceptance.objects.get().ip_coarse == "203.0.113.0/24"
