"""Publishing: the 360° title image (the original untouched, never stacked) and the open link in
the OpenImmo package and the exposé; off, both are gone."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from lxml import etree
from PIL import Image

from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.mailing.services import mail_render
from maklerwerk.portals.exporters import openimmo
from maklerwerk.tours.services import tour_publish
from tests.portals.conftest import openimmo_schema
from tests.tours.conftest import link_tour

pytestmark = pytest.mark.django_db

OPEN = "https://my.matterport.com/show/?m=SxQL3iGyoDo"


def package(prop: Any) -> tuple[Any, zipfile.ZipFile]:
    from django.utils import timezone

    from maklerwerk.integrations.openimmo import writer

    header = writer.Transfer(
        full=False, provider_number="K1", company="Testbüro", openimmo_anid="K1", sender_version="1",
        timestamp=timezone.localtime(), techn_email="it@testbuero.example",
    )  # fmt: skip
    out = io.BytesIO()
    pics = openimmo.pictures(prop, None)
    openimmo.write_package(out, header, "p.xml", [(openimmo.listing_for(prop, "CHANGE", pics), pics)], 2000)
    zf = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    return etree.fromstring(zf.read("p.xml")), zf


def test_publish_puts_banner_and_link_into_the_package_and_off_removes_them(prop, agent):
    tour, _secret = link_tour(prop, agent)
    original = prop.images.get().file.read()
    root, _zf = package(prop)
    assert root.find(".//geo/virtuelletour") is None and not root.xpath('.//anhang[@gruppe="LINKS"]')

    tour_publish(tour=tour, published=True, acting_user=agent)
    root, zf = package(prop)
    assert root.findtext(".//geo/virtuelletour") == "true"
    link = root.xpath('.//anhang[@gruppe="LINKS"]')[0]
    assert link.get("location") == "REMOTE" and link.findtext("daten/pfad") == OPEN
    title = root.xpath('.//anhang[@gruppe="TITELBILD"]/daten/pfad')[0].text
    banner = zf.read(title)
    assert banner != original
    with Image.open(io.BytesIO(banner)) as b, Image.open(io.BytesIO(original)) as o:
        assert b.size == o.size
    prop.images.get().file.seek(0)
    assert prop.images.get().file.read() == original  # the original is untouched

    _root, zf2 = package(prop)  # re-export: the same banner, not a banner on the banner
    assert zf2.read(title) == banner

    tour_publish(tour=tour, published=False, acting_user=agent)
    root, zf = package(prop)
    assert root.find(".//geo/virtuelletour") is None and not root.xpath('.//anhang[@gruppe="LINKS"]')
    assert zf.read(root.xpath('.//anhang[@gruppe="TITELBILD"]/daten/pfad')[0].text) == original


def test_the_published_package_is_valid_openimmo(prop, agent):
    schema = openimmo_schema()
    tour, _secret = link_tour(prop, agent)
    tour_publish(tour=tour, published=True, acting_user=agent)
    root, _zf = package(prop)
    assert schema.validate(root), schema.error_log


def test_a_portal_switch_keeps_the_tour_out_of_the_portals_only(prop, agent):
    from maklerwerk.exposes.render import expose_context

    tour, _secret = link_tour(prop, agent)
    tour_publish(tour=tour, published=True, channels_off=["openimmo"], acting_user=agent)
    root, _zf = package(prop)
    assert root.find(".//geo/virtuelletour") is None
    context = expose_context(prop)
    assert [link["url"] for link in context["links"]] == [OPEN]
    assert context["links"][0]["qr"].startswith("data:image/svg+xml")


def test_the_expose_shows_the_banner_title_image_and_the_link_with_a_qr_code(prop, agent):
    from maklerwerk.exposes.render import expose_context

    before = expose_context(prop)["cover"].src
    tour, _secret = link_tour(prop, agent)
    tour_publish(tour=tour, published=True, acting_user=agent)
    context = expose_context(prop)
    assert context["cover"].src != before and context["links"][0]["url"] == OPEN
    tour_publish(tour=tour, published=False, acting_user=agent)
    assert expose_context(prop)["cover"].src == before and expose_context(prop)["links"] == []


def test_the_mail_field_gives_the_open_link_of_the_published_tour(prop, agent, office):
    tour, _secret = link_tour(prop, agent)
    ctx = MailContext(office=office, acting_user=agent, prop=prop)
    tour_publish(tour=tour, published=True, acting_user=agent)
    rendered = mail_render(subject="Rundgang", body="Hier: {{ objekt.rundgang_link }}", ctx=ctx)
    assert OPEN in rendered.text
