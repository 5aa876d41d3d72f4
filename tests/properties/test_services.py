"""Services: history, re-matching ("Neue Treffer"), images, self-service links."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_for
from maklerwerk.properties import services
from maklerwerk.properties.models import PropertyImage
from tests.properties.conftest import jpeg_with_orientation, png_upload

pytestmark = pytest.mark.django_db


def test_it_records_history_on_create_and_change(make_property: Any, agent: Any) -> None:
    prop = make_property()
    services.property_update(prop=prop, acting_user=agent, data={"purchase_price": Decimal("390000")})
    entries = list(history_for(prop))
    assert [e.action for e in entries] == ["update", "create"]
    change = entries[0].changes
    assert {"field": "purchase_price", "old": "400000.00", "new": "390000.00"} in change


def test_it_refuses_a_duplicate_external_id(make_property: Any) -> None:
    make_property()
    with pytest.raises(ConflictError):
        make_property(title="Zweite")


def test_it_stores_several_images_in_order_with_thumbnails(make_property: Any, agent: Any) -> None:
    prop = make_property()
    images = services.property_images_add(
        prop=prop, acting_user=agent, files=[png_upload("a.png"), png_upload("b.png", color="blue")]
    )
    assert [i.position for i in images] == [1, 2]
    assert prop.title_image == images[0]
    assert (images[0].thumbnail.name or "").endswith(".jpg")
    services.property_images_reorder(prop=prop, acting_user=agent, image_ids=[images[1].pk, images[0].pk])
    assert prop.title_image == images[1]
    assert any(c["field"] == "images" for c in history_for(prop)[0].changes)


def test_it_honours_the_exif_orientation(make_property: Any, agent: Any) -> None:
    prop = make_property()
    (image,) = services.property_images_add(
        prop=prop, acting_user=agent, files=[jpeg_with_orientation(6, (60, 30))]
    )
    assert (image.width, image.height) == (30, 60)
    with Image.open(image.file.path) as stored:
        assert stored.size == (30, 60)


def test_it_saves_nothing_when_one_file_is_not_an_image(make_property: Any, agent: Any) -> None:
    prop = make_property()
    bad = SimpleUploadedFile("rechnung.png", b"%PDF-1.4 nope", content_type="image/png")
    with pytest.raises(ApplicationError) as exc:
        services.property_images_add(prop=prop, acting_user=agent, files=[png_upload(), bad])
    assert exc.value.message == "rechnung.png ist kein Bild oder ist beschädigt."
    assert not PropertyImage.objects.exists()


def test_it_refuses_decompression_bombs_and_oversized_files(
    make_property: Any, agent: Any, monkeypatch: Any, settings: Any
) -> None:
    prop = make_property()
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ApplicationError, match="zu viele Pixel"):
        services.property_images_add(prop=prop, acting_user=agent, files=[png_upload(size=(64, 48))])
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 60_000_000)
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(ApplicationError, match="zu groß"):
        services.property_images_add(prop=prop, acting_user=agent, files=[png_upload()])
    assert not PropertyImage.objects.exists()


def test_it_refuses_an_order_that_does_not_list_every_image(make_property: Any, agent: Any) -> None:
    prop = make_property()
    images = services.property_images_add(prop=prop, acting_user=agent, files=[png_upload(), png_upload()])
    with pytest.raises(ApplicationError):
        services.property_images_reorder(prop=prop, acting_user=agent, image_ids=[images[0].pk])


def test_a_move_shows_the_coordinates_in_the_history_not_the_index_band(
    make_property: Any, agent: Any
) -> None:
    prop = make_property()
    services.property_update(prop=prop, acting_user=agent, data={"latitude": Decimal("49.70")})
    fields = {c["field"] for c in history_for(prop)[0].changes}
    assert "latitude" in fields and "geo_band" not in fields


def test_linking_a_prospect_writes_one_readable_history_line_whatever_the_crowd(
    make_property: Any, agent: Any, contact: Any, agent_client: Any
) -> None:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.history_display import history_rows
    from maklerwerk.properties.models import PropertyContact

    prop = make_property()
    crowd = Contact.objects.bulk_create(
        [Contact(office=prop.office, first_name="Interessent", last_name=f"Nr. {i}") for i in range(40)]
    )
    for other in crowd:
        services.property_contact_set(prop=prop, contact=other, acting_user=agent, role="prospect")
    services.property_contact_set(prop=prop, contact=contact, acting_user=agent, role="prospect")
    latest = history_for(prop)[0]
    # the 41st link records itself, not the 40 before it
    assert latest.changes == [
        {"field": "contact_role", "old": None, "new": "Erika Mustermann: Interessent – Neu"}
    ]
    services.property_contact_set(
        prop=prop, contact=contact, acting_user=agent, role="prospect", interest_status="expose_sent"
    )
    link = PropertyContact.objects.get(property=prop, contact=contact)
    services.property_contact_delete(link=link, acting_user=agent)
    rows = history_rows(history_for(prop)[:2])
    assert [(c["label"], c["old"], c["new"]) for r in rows for c in r["changes"]] == [
        ("Kontaktrolle", "Erika Mustermann: Interessent – Exposé versendet", None),
        (
            "Kontaktrolle",
            "Erika Mustermann: Interessent – Neu",
            "Erika Mustermann: Interessent – Exposé versendet",
        ),
    ]
    history = agent_client.get(f"/properties/{prop.pk}/").content.decode().split('id="history"')[1]
    assert "Kontaktrolle" in history and "Erika Mustermann: Interessent – Exposé versendet" in history
    assert "contact_role" not in history and "Nr. 7" not in history.split("Kontaktrolle")[1][:400]
