"""Many or large pictures in one request are refused before any is decoded (no worker held for long)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties.models import PropertyImage
from tests.conftest import ApiClient, assert_problem
from tests.properties.conftest import png_upload

pytestmark = pytest.mark.django_db


def test_too_many_images_at_once_are_refused_in_the_browser_and_the_api(
    make_property: Any, agent_client: Client, api: ApiClient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    prop = make_property()
    page_url = f"/properties/{prop.pk}/"
    response = agent_client.post(
        f"{page_url}images/",
        {"files": [png_upload(f"{i}.png") for i in range(4)], "kind": "bild"},
        headers={"Referer": f"http://testserver{page_url}"},
    )
    assert response.status_code == 302
    assert "höchstens 3 Dateien pro Schritt" in agent_client.get(page_url).content.decode()
    body = assert_problem(
        api.client.post(
            f"/api/v1/properties/{prop.pk}/images",
            {"files": [png_upload(f"{i}.png") for i in range(4)], "kind": "bild"},
            headers=api.headers,
        ),
        413,
    )
    assert "höchstens 3 Dateien" in body["detail"]
    assert not PropertyImage.objects.exists()


def test_images_over_the_request_size_are_refused_before_they_are_read(
    make_property: Any, api: ApiClient, settings: Any
) -> None:
    prop = make_property()
    files = [png_upload(f"{i}.png", size=(600, 400), color="blue") for i in range(3)]
    settings.MAX_UPLOAD_REQUEST_BYTES = sum(f.size or 0 for f in files) // 2
    response = api.client.post(
        f"/api/v1/properties/{prop.pk}/images", {"files": files, "kind": "bild"}, headers=api.headers
    )
    body = assert_problem(response, 413)
    assert "Der Upload ist zu groß" in body["detail"]
    assert not PropertyImage.objects.exists()
