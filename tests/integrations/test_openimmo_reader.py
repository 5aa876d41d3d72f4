"""The OpenImmo reader takes what legacy systems write and refuses what is dangerous, in German."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from maklerwerk.integrations.openimmo.reader import OpenImmoError, read_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openimmo-import"


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "JPEG")
    return out.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return out.getvalue()


def doc(immobilie: str, encoding: str = "UTF-8", anbieter: str = "<firma>Altbüro</firma>") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    text = f"{head}<openimmo><anbieter>{anbieter}{immobilie}</anbieter></openimmo>"
    return text.encode("utf-8" if encoding == "UTF-8" else "latin-1")


SIMPLE = (
    "<immobilie><verwaltung_techn><objektnr_extern>W-1</objektnr_extern>{aktion}</verwaltung_techn>"
    "<freitexte><objekttitel>Schöne Wohnung am Fluss</objekttitel></freitexte>"
    '<objektkategorie><objektart><wohnung/></objektart><vermarktungsart MIETE_PACHT="1" KAUF="0"/>'
    "</objektkategorie>"
    "<preise><kaltmiete>1.234,50</kaltmiete></preise><geo><ort>Köln</ort><plz>50667</plz></geo></immobilie>"
)


def test_a_zip_with_pictures_in_a_folder_and_children_in_the_wrong_order() -> None:
    raw = zipped({"export/foo.xml": (FIXTURES / "ext-realty__foo.xml").read_bytes(),
                  "export/bilder/foo.jpg": jpeg(), "export/bilder/bar.jpg": jpeg("blue")})  # fmt: skip
    package = read_package(raw, "foo.zip")
    (listing,) = package.listings
    assert listing.external_id == "1234-ABC"
    assert listing.data["postal_code"] == "53111"
    assert listing.data["object_kind"] == "zimmer"
    assert [a.path for a in listing.attachments] == ["foo.jpg", "bar.jpg"]
    assert all(a.content for a in listing.attachments)
    assert "Die Datei hat kein <uebertragung>-Element; trotzdem gelesen." in package.warnings


def test_a_missing_picture_is_a_warning_not_a_crash() -> None:
    raw = zipped({"foo.xml": (FIXTURES / "ext-realty__foo.xml").read_bytes(), "foo.jpg": jpeg()})
    (listing,) = read_package(raw, "foo.zip").listings
    assert listing.attachments[1].content is None
    assert "Bild bar.jpg fehlt im Paket." in listing.warnings


@pytest.mark.parametrize("declared", ["ISO-8859-1", "UTF-8"])
def test_latin1_files_keep_their_umlauts_also_when_mislabelled(declared: str) -> None:
    raw = doc(SIMPLE.format(aktion=""), encoding="ISO-8859-1").replace(b"ISO-8859-1", declared.encode())
    (listing,) = read_package(raw, "x.xml").listings
    assert listing.data["title"] == "Schöne Wohnung am Fluss"
    assert listing.data["city"] == "Köln"
    assert listing.data["marketing_type"] == "miete_pacht"
    assert str(listing.data["cold_rent"]) == "1234.50"


def test_lower_case_delete_and_several_providers_and_the_old_namespace() -> None:
    (deleted,) = read_package(doc(SIMPLE.format(aktion='<aktion aktionart="delete"/>'))).listings
    assert deleted.action == "DELETE"
    several = read_package((FIXTURES / "openestate-io__openimmo-1-2-7-downgrade.xml").read_bytes())
    assert len(several.listings) == 4 and "REFERENZ" in {lst.action for lst in several.listings}
    old = read_package((FIXTURES / "openestate-io__openimmo-1-2-0-downgrade.xml").read_bytes())
    assert old.kind == "openimmo" and len(old.listings) == 10


def test_umlauts_of_the_utf8_fixture() -> None:
    package = read_package((FIXTURES / "ext-realty__charset-UTF8.xml").read_bytes())
    assert package.listings[0].external_id == "bar1234567"


XXE = b"""<?xml version="1.0"?><!DOCTYPE openimmo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<openimmo><anbieter><immobilie><freitexte><objekttitel>&xxe;</objekttitel></freitexte></immobilie></anbieter></openimmo>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<openimmo>&lol2;</openimmo>"""


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        (XXE, "x.xml", "enthält eine DTD oder Entitäten"),
        (LAUGHS, "x.xml", "enthält eine DTD oder Entitäten"),
        (
            zipped({"x.xml": doc(SIMPLE.format(aktion="")), "../../etc/evil.jpg": b"x"}),
            "x.zip",
            "Pfad außerhalb",
        ),
        (zipped({"x.xml": doc(SIMPLE.format(aktion="")), "/etc/evil.jpg": b"x"}), "x.zip", "Pfad außerhalb"),
        (
            zipped({"x.xml": doc(SIMPLE.format(aktion="")), "bomb.jpg": b"\0" * (20 * 1024**2)}),
            "x.zip",
            "ZIP-Bombe",
        ),
        (zipped({"x.xml": doc(SIMPLE.format(aktion=""))})[:-40], "x.zip", "beschädigt oder unvollständig"),
        (doc(SIMPLE.format(aktion=""))[:-30], "x.xml", "kaputt oder abgeschnitten"),
        (zipped({"readme.txt": b"hallo"}), "x.zip", "keine OpenImmo-XML-Datei"),
        (b"<root><kyero/></root>", "x.xml", r"keine OpenImmo-Datei \(das Wurzelelement ist <root>\)"),
        (b"", "x.xml", "Die Datei ist leer."),
    ],
)
def test_dangerous_or_broken_input_is_refused_in_german(raw: bytes, name: str, message: str) -> None:
    with pytest.raises(OpenImmoError, match=message):
        read_package(raw, name)


def test_a_feedback_file_is_recognised_as_such() -> None:
    raw = (FIXTURES.parent / "openimmo" / "openestate-io__examples__openimmo-feedback.xml").read_bytes()
    package = read_package(raw, "feedback.xml")
    assert package.kind == "feedback" and not package.listings
    assert "OpenImmo-Feedback" in package.warnings[0]


@settings(max_examples=200, deadline=None)
@given(
    raw=st.binary(max_size=400) | st.text(max_size=300).map(lambda t: f"<openimmo>{t}</openimmo>".encode())
)
def test_any_input_gives_listings_or_a_german_reason_never_a_crash(raw: bytes) -> None:
    try:
        package = read_package(raw, "x.xml")
    except OpenImmoError as exc:
        assert str(exc)
    else:
        assert package.kind == "openimmo"


def test_an_offices_full_export_with_many_pictures_is_read() -> None:
    """Thousands of properties with their pictures are one ZIP of tens of thousands of files: not a
    bomb (those are caught by size), so it is read."""
    pictures = "".join(f"<anhang><daten><pfad>b{i}.jpg</pfad></daten></anhang>" for i in range(6000))
    xml = doc(
        SIMPLE.format(aktion="").replace("</immobilie>", f"<anhaenge>{pictures}</anhaenge></immobilie>")
    )
    raw = zipped({"x.xml": xml, **{f"b{i}.jpg": b"\xff\xd8" for i in range(6000)}})
    (listing,) = read_package(raw, "x.zip").listings
    assert len(listing.attachments) == 6000 and all(a.content for a in listing.attachments)
