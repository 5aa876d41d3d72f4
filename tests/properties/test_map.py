"""The location map on a property: a sketch drawn here by default (no request to anybody), the office's
map tiles only when it named a tile server, and always the honest precision of the point."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties.models import Property

pytestmark = pytest.mark.django_db

FORM = {
    "external_id": "MW-0001",
    "object_kind": "wohnung",
    "marketing_type": "kauf",
    "usage": "wohnen",
    "status": "active",
    "visibility": "office",
    "country": "DEU",
    "postal_code": "60385",
    "city": "Frankfurt am Main",
    "district": "Bornheim",
}


def _detail(client: Client) -> tuple[Any, str]:
    response = client.post("/properties/new/", FORM, follow=True)
    return response, response.content.decode()


def test_by_default_the_map_is_a_sketch_that_asks_no_other_server(agent_client: Client) -> None:
    response, html = _detail(agent_client)
    assert 'data-map="sketch"' in html
    assert "ungefähre Lage: Mitte des PLZ-Gebiets 60385" in html
    assert "Skizze aus dem mitgelieferten Ortsverzeichnis" in html
    # The neighbourhood by name, from the packaged list: Frankfurt itself and Offenbach beside it.
    labels = re.findall(r'class="sketch-label[^"]*">([^<]+)<', html)
    assert "Frankfurt am Main" in labels and "Offenbach" in labels
    # Nothing on the page loads from elsewhere; the page's policy allows images from itself only.
    assert not re.search(r'<img[^>]+src="https?://', html)
    policy = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"])
    assert policy is not None
    img_src = policy.group(1)
    assert "openstreetmap" not in img_src
    # The real map is one click away (a link, no request until clicked).
    assert "https://www.openstreetmap.org/?mlat=50.1248&amp;mlon=8.7138" in html


def test_with_a_tile_server_the_map_is_made_of_its_tiles(agent_client: Client, office: Any) -> None:
    office.map_tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"
    office.save()
    response, html = _detail(agent_client)
    assert 'data-map="tiles"' in html
    tiles = re.findall(r'src="https://tiles\.example\.org/14/(\d+)/(\d+)\.png"', html)
    # Zoom 14 for a postcode area: the tile with Bornheim (x 8588, y 5547) and its neighbours.
    assert ("8588", "5547") in tiles and 6 <= len(tiles) <= 12
    assert "https://tiles.example.org" in response["Content-Security-Policy"]
    assert "OpenStreetMap-Mitwirkende" not in html  # attribution only for OpenStreetMap's tiles
    office.map_tile_url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    office.save()
    prop = Property.objects.get()
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert "OpenStreetMap-Mitwirkende" in html


def test_coordinates_given_through_the_api_are_called_so(api: Any, agent_client: Client) -> None:
    body = api.post(
        "/api/v1/properties", {"external_id": "A-1", "city": "Köln", "latitude": 50.94, "longitude": 6.96}
    ).json()
    html = agent_client.get(f"/properties/{body['id']}/").content.decode()
    assert "Koordinaten wie angegeben" in html and 'data-map="sketch"' in html


def test_a_property_without_coordinates_has_no_map(agent_client: Client) -> None:
    agent_client.post("/properties/new/", {**FORM, "postal_code": "", "city": "Nirgendwo an der Wupper"})
    html = agent_client.get(f"/properties/{Property.objects.get().pk}/").content.decode()
    assert "data-map=" not in html
