"""Garbage and over-long input on search profiles: a clear German answer, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.matching import services as matching_services
from maklerwerk.matching.models import SearchProfile, SelfServiceLink
from tests.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

LONG_CITY = "Sankt " + "Langenbrück-an-der-Oberen-Mühle " * 5  # ~170 characters
GERMAN = "Orte sind Text mit höchstens 100 Zeichen je Ort."


def test_api_refuses_a_city_name_longer_than_100_characters(api: ApiClient, contact: Any) -> None:
    response = api.post(
        f"/api/v1/contacts/{contact.pk}/search-profiles",
        {"marketing_type": "kauf", "cities": ["Köln", LONG_CITY]},
    )
    body = assert_problem(response, 422)
    assert {e["field"]: e["message"] for e in body["errors"]} == {"cities": GERMAN}
    assert not SearchProfile.objects.exists()
    ok = api.post(
        f"/api/v1/contacts/{contact.pk}/search-profiles", {"marketing_type": "kauf", "cities": ["Köln"]}
    )
    assert ok.status_code == 201, ok.content


def test_the_public_self_service_form_explains_a_too_long_city_in_german(contact: Any, agent: Any) -> None:
    _link, token = matching_services.self_service_link_create(contact=contact, acting_user=agent)
    response = Client().post(
        f"/properties/s/{token}/", {"marketing_type": "kauf", "price_max": "380000", "cities": LONG_CITY}
    )
    assert response.status_code == 200
    assert GERMAN in response.content.decode()
    assert not SearchProfile.objects.exists()


@pytest.mark.parametrize("garbage", ["abc", "²", "99999999999999999999"])
def test_a_garbage_profile_id_for_a_personal_link_is_not_found(
    agent_client: Client, contact: Any, garbage: str
) -> None:
    response = agent_client.post(f"/properties/contact-tab/{contact.pk}/self-service/", {"profile": garbage})
    assert response.status_code == 404
    assert not SelfServiceLink.objects.exists()
