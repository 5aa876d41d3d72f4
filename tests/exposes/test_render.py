"""The exposé as HTML and PDF: content, A4 pages, scaled images, robust on empty properties."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from maklerwerk.exposes.render import expose_html, expose_pdf
from tests.exposes.conftest import add_image

pytestmark = pytest.mark.django_db


def pdfinfo(pdf: bytes, tmp_path: Any) -> dict[str, str]:
    path = tmp_path / "e.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdftext(pdf: bytes, tmp_path: Any) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_html_preview_shows_the_key_facts_texts_and_energy_scale(prop_with_images: Any) -> None:
    html = expose_html(prop_with_images, preview=True)
    assert "Helle Wohnung am Rheinufer" in html
    assert "450.000 €" in html and "86,5 m²" in html
    assert "Lichtdurchflutete Wohnung" in html
    assert html.count("data:image/jpeg;base64,") == 4  # cover, two gallery photos, floor plan
    assert "Wohnzimmer mit Rheinblick" in html or "Küche" in html
    for colour in ("#00a651", "#be1e2d"):
        assert colour in html


def test_the_pdf_is_a4_with_page_numbers_and_german_text(prop_with_images: Any, tmp_path: Any) -> None:
    pdf = expose_pdf(prop_with_images)
    assert pdf.startswith(b"%PDF")
    info = pdfinfo(pdf, tmp_path)
    pages = int(info["Pages"])
    assert pages == 3  # a flat with three photos and a floor plan: cover, texts, photos; no empty pages
    assert "595.276 x 841.89" in info["Page size"]  # A4 in points
    text = pdftext(pdf, tmp_path)
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    for expected in (
        "Helle Wohnung am Rheinufer",
        "Kaufpreis",
        "450.000 €",
        "Energieausweis",
        "Grundrisse",
        "Ihr Ansprechpartner",
        "Max Makler",
        "Testbüro Immobilien GmbH",
    ):
        assert expected in text, expected


def test_the_english_exposé_speaks_english(prop_with_images: Any, tmp_path: Any) -> None:
    text = pdftext(expose_pdf(prop_with_images, language="en"), tmp_path)
    assert "Purchase price" in text and "Energy certificate" in text and "Page 1 of" in text


def test_large_photos_are_scaled_down(prop: Any, tmp_path: Any) -> None:
    add_image(prop, size=(4000, 3000), position=1)
    html = expose_html(prop)
    found = re.search(r'src="data:image/jpeg;base64,([^"]+)"', html)
    assert found is not None
    src = found.group(1)
    import base64
    import io

    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(src))) as img:
        assert max(img.size) <= 1800
    assert len(expose_pdf(prop)) < 1_500_000


def test_a_property_without_images_or_texts_still_renders_cleanly(office: Any, tmp_path: Any) -> None:
    from maklerwerk.properties.models import Property

    bare = Property.objects.create(office=office, external_id="LEER-1")
    pdf = expose_pdf(bare)
    text = pdftext(pdf, tmp_path)
    assert "LEER-1" in text
    assert "Energieausweis" in text and "wird erstellt" in text
    assert "None" not in text


def test_office_css_cannot_fetch_files_or_urls(prop: Any, office: Any, tmp_path: Any) -> None:
    from maklerwerk.exposes.models import ExposeTemplate

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    template = ExposeTemplate.objects.create(
        office=office,
        name="Eigen",
        css=f"body {{ background: url('file://{secret}'); }} </style><script>x</script>",
        accent_color="#8a1538",
    )
    html = expose_html(prop, template=template)
    assert "</style><script>" not in html
    assert expose_pdf(prop, template=template).startswith(b"%PDF")


def test_a_real_render_of_hostile_office_css_fetches_no_file_and_no_url(
    prop: Any, office: Any, settings: Any, tmp_path: Any
) -> None:
    from maklerwerk.exposes.models import ExposeTemplate
    from tests.fetchtrap import (
        HTTP_SIZE,
        TRAP_SIZE,
        hostile_css,
        media_picture,
        pdf_image_sizes,
        recording_server,
    )

    picture = media_picture(settings.MEDIA_ROOT)
    with recording_server() as (base_url, requested):
        template = ExposeTemplate.objects.create(
            office=office, name="Falle", css=hostile_css(base_url, picture), accent_color="#8a1538"
        )
        pdf = expose_pdf(prop, template=template)
    sizes = pdf_image_sizes(pdf, tmp_path)
    # the server saw no request, and neither the media picture nor the server's is in the PDF
    assert (requested, TRAP_SIZE in sizes, HTTP_SIZE in sizes) == ([], False, False)
    assert "Helle Wohnung" in pdftext(pdf, tmp_path)  # the exposé itself was rendered
