"""The public share-link pages' guards, each from the prospect's or the office's side: consent belongs
to one link and one version of the texts, a switched-off access stops only that property's documents,
links survive a rotated server key, expired links are never handed out again, and every public answer
keeps the token out of caches, search engines and Referer headers."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.sharing import services, visits
from maklerwerk.sharing.models import AccessEvent
from tests.conftest import RATE_LIMIT_INSTANT, streamed

from .conftest import add_document, public_path, token_of

pytestmark = pytest.mark.django_db

UA: dict[str, Any] = {"HTTP_USER_AGENT": "Mozilla/5.0 Testbrowser"}
ACCEPT = {"accept_notice": "1", "accept_terms": "1"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def second_link(office: Any, prospect: Any, agent: Any) -> Any:
    from maklerwerk.properties.models import Property

    house = Property.objects.create(office=office, external_id="H-002", title="Reihenhaus Bornheim")
    add_document(house, "Teilungserklärung", b"%PDF-1.4 teilung")
    return services.share_link_create(office=office, contact=prospect, property=house, acting_user=agent)


def test_consent_given_on_one_link_does_not_open_another(
    link: Any, second_link: Any, documents: Any, office_texts: Any
) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.90")
    assert visitor.post(f"{public_path(link)}consent/", ACCEPT, **UA).status_code == 302
    assert "Grundbuchauszug" in visitor.get(public_path(link), **UA).content.decode()
    other = visitor.get(public_path(second_link), **UA).content.decode()
    assert "Teilungserklärung" not in other and "Widerruf" in other  # its own gate first


def test_changed_terms_ask_for_consent_again(link: Any, documents: Any, office_texts: Any) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.91")
    visitor.post(f"{public_path(link)}consent/", ACCEPT, **UA)
    assert not visits.consent_needed(link)
    office_texts.terms_text = "Es gelten unsere AGB in der Fassung vom 1. Dezember."
    office_texts.save()
    assert visits.consent_needed(link)
    assert "Grundbuchauszug" not in visitor.get(public_path(link), **UA).content.decode()


def test_switching_off_one_propertys_access_leaves_the_others(
    link: Any, second_link: Any, documents: Any, agent: Any
) -> None:
    services.access_set(cloud=link.cloud, contact=link.contact, active=False, acting_user=agent)
    visitor = Client(REMOTE_ADDR="203.0.113.92")
    assert visitor.get(public_path(link), **UA).status_code == 404
    assert "Teilungserklärung" in visitor.get(public_path(second_link), **UA).content.decode()


def test_links_survive_a_rotated_server_key_while_the_old_key_is_a_fallback(link: Any, settings: Any) -> None:
    token = token_of(link)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    assert services.share_link_token(link) == token
    assert services.share_link_resolve(token) == link
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ApplicationError):
        services.share_link_token(link)


def test_an_expired_link_is_not_handed_out_again(link: Any, office: Any, prospect: Any, prop: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from maklerwerk.sharing.models import ShareLink

    same, created = services.share_link_get_or_create(
        office=office, contact=prospect, property=prop, acting_user=None
    )
    assert same == link and not created
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    fresh, created = services.share_link_get_or_create(
        office=office, contact=prospect, property=prop, acting_user=None
    )
    assert created and fresh != link and fresh.expires_at > timezone.now()


@pytest.mark.parametrize("where", ["page", "gate", "download", "invalid"])
def test_public_answers_stay_out_of_caches_search_engines_and_referers(
    link: Any, documents: Any, office_texts: Any, where: str
) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.93")
    if where == "gate":
        response = visitor.get(public_path(link), **UA)
    elif where == "invalid":
        response = visitor.get("/sharing/d/" + "C" * 43 + "/", **UA)
    else:
        visitor.post(f"{public_path(link)}consent/", ACCEPT, **UA)
        response = visitor.get(public_path(link), **UA)
        if where == "download":
            href = response.content.decode().split('href="', 1)[1]
            while "/f/" not in href.split('"', 1)[0]:
                href = href.split('href="', 1)[1]
            response = visitor.get(href.split('"', 1)[0], **UA)
            streamed(response)
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_gate_page_is_german_with_the_office_and_a_form_that_can_be_sent(
    link: Any, documents: Any, office_texts: Any
) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.94", enforce_csrf_checks=True)
    gate = visitor.get(public_path(link), **UA)
    html = gate.content.decode()
    assert gate.status_code == 200
    assert "Testbüro Immobilien GmbH" in html and "vierzehn Tagen" in html
    csrf = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    accepted = visitor.post(f"{public_path(link)}consent/", {**ACCEPT, "csrfmiddlewaretoken": csrf}, **UA)
    assert accepted.status_code == 302


def test_an_invalid_link_answers_in_german_whatever_the_browser_asks(link: Any) -> None:
    response = Client(REMOTE_ADDR="203.0.113.95").get(
        "/sharing/d/" + "D" * 43 + "/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", **UA
    )
    assert response.status_code == 404 and "Link nicht mehr gültig" in response.content.decode()


def test_a_download_without_a_browser_name_is_recorded_with_none(link: Any, prop: Any) -> None:
    add_document(prop, "Flurkarte", b"%PDF karte")
    visitor = Client(REMOTE_ADDR="203.0.113.96")
    html = visitor.get(public_path(link)).content.decode()
    href = next(part.split('"', 1)[0] for part in html.split('href="')[1:] if "/f/" in part.split('"', 1)[0])
    streamed(visitor.get(href))
    assert AccessEvent.objects.get(kind="download").user_agent == ""


@pytest.mark.ratelimit
def test_the_rate_limit_follows_the_setting_at_once(settings: Any) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.97")
    settings.SHARING_RATE_LIMIT = "2/m"
    with time_machine.travel(RATE_LIMIT_INSTANT, tick=False):
        codes = [visitor.get("/sharing/d/" + "E" * 43 + "/").status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        settings.SHARING_RATE_LIMIT = "5/m"
        assert visitor.get("/sharing/d/" + "E" * 43 + "/").status_code == 404


def test_a_link_is_only_made_within_one_office(
    office: Any, agent: Any, prospect: Any, prop: Any, foreign_contact: Any, foreign_prop: Any
) -> None:
    from django.utils import translation

    from maklerwerk.core.exceptions import NotFoundError
    from maklerwerk.sharing.models import ShareLink

    for contact, prop_, message, field in (
        (foreign_contact, prop, "Unbekannter Kontakt.", "contact_id"),
        (prospect, foreign_prop, "Unbekannte Immobilie.", "property_id"),
    ):
        with translation.override("de"), pytest.raises(NotFoundError) as refused:
            services.share_link_create(office=office, contact=contact, property=prop_, acting_user=agent)
        assert (refused.value.message, refused.value.extra) == (message, {"field": field})
    assert not ShareLink.objects.exists()


def test_a_link_whose_key_is_gone_says_to_make_a_new_one(link: Any, settings: Any) -> None:
    from django.utils import translation

    settings.SECRET_KEY = "another-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = []
    with translation.override("de"), pytest.raises(ApplicationError) as refused:
        services.share_link_token(link)
    assert refused.value.message == (
        "Dieser Link kann nicht mehr angezeigt werden; bitte erstellen Sie einen neuen."
    )
