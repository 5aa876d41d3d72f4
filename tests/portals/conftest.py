"""Fixtures of the portal transfer: a real FTP server (pyftpdlib), properties with pictures, the XSD."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from lxml import etree
from PIL import Image

XSD_ENV = "MAKLERWERK_OPENIMMO_XSD"


def serve_ftp(root: Path, handler_base: Any = None, **attrs: Any) -> Iterator[dict[str, Any]]:
    """A pyftpdlib server on loopback with the user portal/secret in `root` (folder import/);
    `handler_base` and `attrs` shape its handler (TLS, a full disk)."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

    (root / "import").mkdir(parents=True)
    auth = DummyAuthorizer()
    auth.add_user("portal", "secret", str(root), perm="elradfmwMT")
    handler = type("H", (handler_base or FTPHandler,), {"authorizer": auth, **attrs})
    server = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1}, daemon=True)
    thread.start()
    yield {
        "host": "127.0.0.1",
        "port": server.address[1],
        "user": "portal",
        "password": "secret",
        "root": root,
        "handler": handler,
    }
    server.close_all()
    thread.join(5)


@pytest.fixture
def ftp_server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    yield from serve_ftp(tmp_path / "ftp")


def jpeg(width: int = 800, height: int = 600, colour: tuple[int, int, int] = (90, 120, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def noisy_jpeg(width: int, height: int) -> bytes:
    """A picture that does not compress: large on disk, for the size limit."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def add_picture(
    prop: Any, *, caption: str = "", kind: str = "bild", data: bytes | None = None, name: str = "Küche.jpg"
) -> Any:
    from maklerwerk.properties.models import PropertyImage

    position = prop.images.count()
    image = PropertyImage(property=prop, kind=kind, caption=caption, position=position)
    data = data or jpeg()
    image.file.save(name, ContentFile(data), save=False)
    with Image.open(io.BytesIO(data)) as img:
        image.width, image.height = img.size
    image.save()
    return image


def xml_child(element: etree._Element, path: str) -> etree._Element:
    """`element.find(path)`, failing the test when the package lacks it."""
    found = element.find(path)
    assert found is not None, f"no <{path}> in the package"
    return found


def make_listing(office: Any, agent: Any, external_id: str = "MW-0001", **extra: Any) -> Any:
    from maklerwerk.properties.models import Property

    values: dict[str, Any] = {
        "title": "Helle 3-Zimmer-Wohnung mit Balkon",
        "object_kind": "wohnung",
        "object_subtype": "ETAGE",
        "marketing_type": "kauf",
        "usage": "wohnen",
        "status": Property.Status.ACTIVE,
        "responsible_agent": agent,
        "street": "Andreasstraße",
        "house_number": "10",
        "postal_code": "50667",
        "city": "Köln",
        "purchase_price": Decimal("350000"),
        "living_area": Decimal("72.5"),
        "rooms": Decimal("3"),
        "energy_certificate_type": "verbrauch",
        "energy_value": Decimal("112.4"),
        "energy_class": "D",
        "energy_carrier": "gas",
        "year_built": 1972,
        "description": "Ruhige Lage, Süd-Balkon & Einbauküche.",
    }
    values.update(extra)
    return Property.objects.create(office=office, external_id=external_id, **values)


@pytest.fixture
def listing(office: Any, agent: Any) -> Any:
    office.email, office.phone = "info@testbuero.example", "+49 221 123456"
    office.save()
    agent.first_name, agent.last_name, agent.email = "Anna", "Beispiel", "anna@testbuero.example"
    agent.save()
    prop = make_listing(office, agent)
    add_picture(prop, caption="Wohnzimmer")
    add_picture(prop, caption="Grundriss", kind="grundriss", name="grundriss.jpg")
    return prop


def openimmo_schema() -> Any:
    """The OpenImmo 1.2.7c XSD from MAKLERWERK_OPENIMMO_XSD (its licence forbids shipping it).

    .ci/run finds it in ~/.local/share/openimmo/ (a copy kept on the CI machine, outside the repo).
    Where there is none, the run skips with this message (the structural checks of
    test_openimmo_writer still run): failing would make the suite depend on a file nobody may ship."""
    from lxml import etree

    path = os.environ.get(XSD_ENV, "")
    if not path or not Path(path).is_file():
        message = (
            f"{XSD_ENV} is not set to the OpenImmo 1.2.7c XSD (openimmo_127c.xsd): the schema may not be "
            "committed (OpenImmo licence); download it from openimmo.de and point the variable at it."
        )
        pytest.skip(message)
    return etree.XMLSchema(etree.parse(path))


@pytest.fixture
def is24() -> Iterator[dict[str, Any]]:
    """The ImmobilienScout24 stand-in on loopback, with one user (the office's IS24 account)."""
    from maklerwerk.integrations.is24.standin import Is24StandIn, serve

    app = Is24StandIn()
    app.add_user("testbuero", "token-testbuero", "secret-testbuero")
    server, thread, url = serve(app)
    yield {
        "app": app,
        "url": url,
        "user": "testbuero",
        "token": "token-testbuero",
        "secret": "secret-testbuero",
    }
    server.shutdown()
    server.server_close()
    thread.join(5)


def is24_portal_data(is24: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "ImmobilienScout24",
        "key": "is24",
        "kind": "is24",
        "active": True,
        "api_url": is24["url"],
        "consumer_key": "maklerwerk-key",
        "consumer_secret": "maklerwerk-secret",
        "access_token": is24["token"],
        "access_secret": is24["secret"],
    }
