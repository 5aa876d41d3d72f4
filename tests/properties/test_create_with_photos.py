"""One form creates the property with its photos; after an action the agent lands where they were."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.properties.models import Property
from tests.properties.conftest import png_upload

pytestmark = pytest.mark.django_db

FORM = {
    "external_id": "MW-0001",
    "title": "Altbau mit Balkon",
    "object_kind": "wohnung",
    "marketing_type": "kauf",
    "usage": "wohnen",
    "status": "preparation",
    "visibility": "office",
    "country": "DEU",
    "purchase_price": "349.000",
    "living_area": "78,5",
}


def test_the_property_and_its_photos_are_created_in_one_go(agent_client: Client) -> None:
    form = agent_client.get("/properties/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="files"' in form and "Fotos" in form
    response = agent_client.post(
        "/properties/new/",
        {**FORM, "files": [png_upload("aussen.png"), png_upload("kueche.png", color="blue")]},
    )
    assert response.status_code == 302
    prop = Property.objects.get()
    assert prop.purchase_price == 349000 and str(prop.living_area) == "78.50"
    assert [(i.file.name or "").rsplit("_", 1)[-1] for i in prop.images.order_by("position")] == [
        "aussen.png",
        "kueche.png",
    ]
    detail = agent_client.get(response["Location"]).content.decode()
    assert "Immobilie angelegt." in detail and "Bilder <span" in detail


def test_a_bad_photo_creates_nothing_and_keeps_what_was_typed(agent_client: Client) -> None:
    bad = SimpleUploadedFile("kaputt.jpg", b"no image at all", content_type="image/jpeg")
    response = agent_client.post("/properties/new/", {**FORM, "files": [png_upload(), bad]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "kaputt.jpg" in html  # the German reason names the file
    assert 'value="349.000"' in html and 'value="Altbau mit Balkon"' in html
    assert not Property.objects.exists()


def test_the_edit_form_has_no_photo_field(agent_client: Client, make_property: Any) -> None:
    prop = make_property()
    assert 'name="files"' not in agent_client.get(f"/properties/{prop.pk}/edit/").content.decode()


def test_a_saved_search_profile_lands_on_the_contact(agent_client: Client, contact: Any) -> None:
    response = agent_client.post(
        f"/properties/contact-tab/{contact.pk}/profiles/new/",
        {"name": "Wohnung", "marketing_type": "kauf", "object_kinds": ["wohnung"], "cities": "Frankfurt"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/contacts/{contact.pk}/#properties"
    page = agent_client.get(response["Location"]).content.decode()
    assert "Suchprofil gespeichert." in page and 'id="properties"' in page


def test_a_new_share_link_lands_on_the_document_sharing_tab(
    agent_client: Client, make_property: Any, contact: Any
) -> None:
    prop = make_property()
    tab = agent_client.get(
        f"/sharing/property/{prop.pk}/tab/",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/properties/{prop.pk}/"},
    ).content.decode()
    next_url = f"/properties/{prop.pk}/#ext-document-sharing"
    assert f'value="http://testserver{next_url}"' in tab
    response = agent_client.post(
        "/sharing/links/new/",
        {"contact_id": contact.pk, "property_id": prop.pk, "next": f"http://testserver{next_url}"},
    )
    assert response["Location"].endswith("#ext-document-sharing")
    detail = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert 'href="#ext-document-sharing"' in detail  # the hash names the tab, so the page opens it
