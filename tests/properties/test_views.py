"""HTML pages: German UI, roles, office scoping, images, contact tab, self-service form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties import services
from maklerwerk.properties.models import PropertyImage
from tests.properties.conftest import png_upload

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_list_shows_properties_in_german(agent_client: Client, make_property: Any) -> None:
    make_property()
    html = agent_client.get("/properties/").content.decode()
    assert "Helle 3-Zimmer-Wohnung im Nordend" in html and "400.000 €" in html and "In Vermarktung" in html
    partial = agent_client.get(
        "/properties/", {"q": "Sachsenhausen"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Keine passenden Immobilien." in partial and "<html" not in partial


def test_it_creates_a_property_with_german_field_errors(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/",
        {
            "external_id": "",
            "object_kind": "burg",
            "marketing_type": "kauf",
            "usage": "wohnen",
            "status": "active",
            "visibility": "office",
            "country": "DEU",
            "purchase_price": "-5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in html
    assert "Bitte eine gültige Auswahl treffen. burg ist keine gültige Auswahl." in html
    assert "Ensure this value" not in html and "größer oder gleich 0" in html
    assert "Bitte korrigieren Sie die markierten Felder." in html
    response = agent_client.post(
        "/properties/new/",
        {
            "external_id": "K-9",
            "title": "Neu",
            "object_kind": "haus",
            "marketing_type": "kauf",
            "usage": "wohnen",
            "status": "active",
            "visibility": "office",
            "country": "DEU",
            "purchase_price": "350000",
            "features": ["garten"],
        },
    )
    assert response.status_code == 302
    assert "Immobilie angelegt." in agent_client.get(response["Location"]).content.decode()


def test_read_only_users_may_look_but_not_change(readonly_user: Any, make_property: Any) -> None:
    prop = make_property()
    c = client_for(readonly_user)
    assert c.get(f"/properties/{prop.pk}/").status_code == 200
    assert c.get("/properties/new/").status_code == 403
    assert c.post(f"/properties/{prop.pk}/edit/", {"title": "x"}).status_code == 403
    assert c.post(f"/properties/{prop.pk}/images/", {"files": [png_upload()]}).status_code == 403
    assert c.post(f"/properties/{prop.pk}/delete/").status_code == 403


def test_another_offices_property_is_not_found(outsider: Any, make_property: Any, contact: Any) -> None:
    prop = make_property()
    services.property_images_add(prop=prop, acting_user=None, files=[png_upload()])
    image = PropertyImage.objects.get()
    c = client_for(outsider)
    for url in (
        f"/properties/{prop.pk}/",
        f"/properties/{prop.pk}/edit/",
        f"/properties/images/{image.pk}/thumb/",
        f"/properties/contact-tab/{contact.pk}/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/properties/{prop.pk}/delete/").status_code == 404


def test_images_upload_several_and_reorder_by_htmx(agent_client: Client, make_property: Any) -> None:
    prop = make_property()
    response = agent_client.post(
        f"/properties/{prop.pk}/images/",
        {"files": [png_upload("a.png"), png_upload("b.png")], "kind": "bild"},
    )
    assert response.status_code == 302
    first, second = PropertyImage.objects.order_by("position")
    response = agent_client.post(
        f"/properties/{prop.pk}/images/order/",
        {"image": [second.pk, first.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Titelbild" in response.content.decode()
    assert prop.title_image == second
    thumb = agent_client.get(f"/properties/images/{second.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_a_bad_image_shows_a_german_error(agent_client: Client, make_property: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    prop = make_property()
    bad = SimpleUploadedFile("kaputt.jpg", b"nope", content_type="image/jpeg")
    response = agent_client.post(f"/properties/{prop.pk}/images/", {"files": [bad]}, follow=True)
    assert "kaputt.jpg ist kein Bild oder ist beschädigt." in response.content.decode()
    assert not PropertyImage.objects.exists()


def test_only_administrators_change_the_tolerances(agent_client: Client, admin_user: Any) -> None:
    agent_client.post(
        "/properties/settings/",
        {"price_tolerance_percent": "20", "area_tolerance_percent": "10", "rooms_tolerance": "1"},
    )
    from maklerwerk.properties.models import MatchSettings

    assert not MatchSettings.objects.exists()
    client_for(admin_user).post(
        "/properties/settings/",
        {
            "price_tolerance_percent": "20",
            "area_tolerance_percent": "10",
            "rooms_tolerance": "1",
            "kennung_pattern": "MW-{nr:04}",
        },
    )
    assert MatchSettings.objects.get().price_tolerance_percent == 20


def test_the_contact_and_document_forms_on_the_property_are_styled(
    agent_client: Client, make_property: Any
) -> None:
    # Unstyled selects overlapped their neighbours in the Kontakte and Dokumente tabs.
    html = agent_client.get(f"/properties/{make_property().pk}/").content.decode()

    def tag(name: str) -> str:  # the opening tag of the first control with this name
        before, after = html.split(f'name="{name}"', 1)
        return before.rsplit("<", 1)[1] + after.split(">", 1)[0]

    for name in ("role", "interest_status", "kind"):
        assert "form-select" in tag(name), name
    assert "form-control" in tag("note")
