"""The exposé PDF of a property version is rendered once and reused; any change makes a new one."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from maklerwerk.exposes.render import expose_pdf_for
from tests.exposes.conftest import add_image, jpeg
from tests.exposes.test_render import pdftext


def cached_pdfs() -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "cache" / "exposes").glob("*.pdf"))


def scaled_images() -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "cache" / "expose-images").glob("*.jpg"))


@pytest.mark.django_db
def test_the_same_version_is_rendered_once_and_read_from_disk(prop_with_images: Any) -> None:
    name, mimetype, first = expose_pdf_for(prop_with_images)
    [stored] = cached_pdfs()
    written = stored.stat().st_ino  # a render writes a new file (atomic rename)
    _, _, second = expose_pdf_for(prop_with_images)
    assert (name, mimetype) == ("Exposé w-2024-017.pdf", "application/pdf")
    assert second == first == stored.read_bytes()
    assert cached_pdfs() == [stored] and stored.stat().st_ino == written  # not rendered again
    assert len(scaled_images()) == 4  # cover, two gallery photos, floor plan: scaled once, on disk


@pytest.mark.django_db
def test_every_change_that_shows_in_the_exposé_makes_a_new_version(
    prop_with_images: Any, office: Any, tmp_path: Any
) -> None:
    from maklerwerk.exposes.models import ExposeTemplate

    expose_pdf_for(prop_with_images)
    prop_with_images.title = "Penthouse am Rheinufer"
    prop_with_images.save()
    assert "Penthouse am Rheinufer" in pdftext(expose_pdf_for(prop_with_images)[2], tmp_path)

    kitchen = prop_with_images.images.get(caption="Küche")
    kitchen.caption = "Offene Küche mit Insel"
    kitchen.save()
    assert "Offene Küche mit Insel" in pdftext(expose_pdf_for(prop_with_images)[2], tmp_path)

    prop_with_images.responsible_agent.phone = "0221 999888"
    prop_with_images.responsible_agent.save()
    assert "0221 999888" in pdftext(expose_pdf_for(prop_with_images)[2], tmp_path)

    office.name = "Rheinblick Immobilien GmbH"
    office.save()
    assert "Rheinblick Immobilien GmbH" in pdftext(expose_pdf_for(prop_with_images)[2], tmp_path)

    prop_with_images.images.get(caption="Bad").delete()
    assert "Bad" not in pdftext(expose_pdf_for(prop_with_images)[2], tmp_path).split()
    # older versions of the same exposé are removed, only the current one is kept
    assert len(cached_pdfs()) == 1

    layout = ExposeTemplate.objects.create(
        office=office, name="Eigen", accent_color="#8a1538", closing_html="<p>Wir freuen uns auf Sie!</p>"
    )
    assert "Wir freuen uns auf Sie!" in pdftext(
        expose_pdf_for(prop_with_images, template=layout)[2], tmp_path
    )
    assert "Page 1 of" in pdftext(expose_pdf_for(prop_with_images, language="en")[2], tmp_path)
    # the German standard layout, the office layout and the English one live side by side
    assert len(cached_pdfs()) == 3


@pytest.mark.django_db
def test_a_photo_replaced_under_the_same_name_is_scaled_anew(prop: Any, tmp_path: Any) -> None:
    from django.core.files.base import ContentFile
    from PIL import Image

    photo = add_image(prop, caption="Fassade", position=1, colour=(200, 30, 30))
    expose_pdf_for(prop)
    storage, name = photo.file.storage, photo.file.name
    storage.delete(name)  # e.g. restored from a backup, or a storage that reuses names
    assert storage.save(name, ContentFile(jpeg(1000, 800, (30, 30, 200)))) == name
    expose_pdf_for(prop)
    colours: list[Any] = []  # (r, g, b) of an RGB image
    for path in scaled_images():
        with Image.open(path) as img:
            colours.append(img.convert("RGB").getpixel((2, img.height // 2)))
    assert len(colours) == 2 and any(b > r for r, _g, b in colours)  # the blue one is there too


@pytest.mark.django_db
def test_cached_files_nobody_used_for_two_weeks_are_removed(
    prop_with_images: Any, office: Any, monkeypatch: Any
) -> None:
    import os
    import time

    from maklerwerk.exposes import render
    from maklerwerk.properties.models import Property

    expose_pdf_for(prop_with_images)
    gone = Property.objects.create(office=office, external_id="VERKAUFT-1")
    expose_pdf_for(gone)
    forgotten = [p for p in cached_pdfs() if p.name.startswith(f"{gone.pk}-")]
    weeks_ago = time.time() - 15 * 86400
    for path in [*cached_pdfs(), *scaled_images()]:
        os.utime(path, (weeks_ago, weeks_ago))
    monkeypatch.setattr(render, "_last_sweep", 0.0)
    expose_pdf_for(prop_with_images)  # read from the cache: marks its PDF and photos as used
    prop_with_images.title = "Neuer Titel"
    prop_with_images.save()
    expose_pdf_for(prop_with_images)  # a new version is written, and the sweep runs
    [current] = cached_pdfs()
    assert current.name.startswith(f"{prop_with_images.pk}-") and not forgotten[0].exists()
    assert len(scaled_images()) == 4  # the photos in use stay


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_version_get_the_same_complete_pdf(prop_with_images: Any) -> None:
    from django.db import connection

    from maklerwerk.properties.models import Property

    results: list[bytes] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            prop = Property.objects.select_related("office", "responsible_agent").get(pk=prop_with_images.pk)
            results.append(expose_pdf_for(prop)[2])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1 and results[0].startswith(b"%PDF")
    assert results[0].rstrip().endswith(b"%%EOF")
    assert len(cached_pdfs()) == 1
