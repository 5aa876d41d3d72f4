"""A property with photos and a floor plan (real JPEGs made with Pillow), and recipients."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from tests.mailing.conftest import make_contact, make_default_contact, make_prop


@pytest.fixture
def contact(office: Any) -> Any:
    return make_default_contact(office)


@pytest.fixture
def prop(office: Any, agent: Any) -> Any:
    return make_prop(office, agent)


def jpeg(width: int, height: int, colour: tuple[int, int, int], label: str = "") -> bytes:
    img = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(img)
    for i in range(0, width, max(1, width // 12)):
        draw.line([(i, 0), (width - i, height)], fill=(255 - colour[0], 200, 120), width=max(2, width // 200))
    draw.rectangle([width // 4, height // 3, width * 3 // 4, height * 2 // 3], fill=(240, 240, 235))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_image(
    target: Any,
    *,
    kind: str = "bild",
    caption: str = "",
    size: tuple[int, int] = (1200, 800),
    colour: tuple[int, int, int] = (70, 110, 160),
    position: int = 0,
) -> Any:
    from maklerwerk.properties.models import PropertyImage

    image = PropertyImage(property=target, kind=kind, caption=caption, position=position)
    image.file.save(f"img{position}.jpg", ContentFile(jpeg(*size, colour)), save=False)
    image.width, image.height = size
    image.save()
    return image


@pytest.fixture
def prop_with_images(prop: Any) -> Any:
    add_image(prop, caption="Wohnzimmer mit Rheinblick", position=1)
    add_image(prop, caption="Küche", colour=(160, 90, 60), position=2)
    add_image(prop, caption="Bad", colour=(60, 140, 90), position=3)
    add_image(prop, kind="grundriss", caption="Grundriss Wohnung", colour=(250, 250, 250), position=4)
    return prop


@pytest.fixture
def recipients(office: Any) -> list[Any]:
    return [
        make_contact(
            office, email="anna@example.org", salutation="frau", first_name="Anna", last_name="Schäfer"
        ),
        make_contact(
            office, email="bernd@example.org", salutation="herr", first_name="Bernd", last_name="Öztürk"
        ),
        make_contact(office, email="clara@example.org", first_name="Clara", last_name="Weiß"),
    ]
