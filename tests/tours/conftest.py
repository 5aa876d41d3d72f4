"""Fixtures of the tours app: a property with a photo, a linked tour, a stand-in provider page
served by a real HTTP server on its own port (another origin, as a provider is)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.portals.conftest import add_picture, ftp_server, is24, make_listing  # noqa: F401  # fixtures

STANDIN = Path(__file__).resolve().parent / "standin"
ROOMS = [
    {"key": "wohnen", "name": "Wohnzimmer"},
    {"key": "kueche", "name": "Küche"},
    {"key": "bad", "name": "Bad", "restricted": True},
]


@pytest.fixture
def prop(office: Any, agent: Any) -> Any:
    office.email, office.phone = "info@testbuero.example", "+49 221 123456"
    office.cancellation_notice_text = "Sie können Ihre Erklärung innerhalb von 14 Tagen widerrufen."
    office.save()
    agent.first_name, agent.last_name, agent.email = "Anna", "Beispiel", "anna@testbuero.example"
    agent.save()
    listing = make_listing(office, agent, "MW-0360")
    add_picture(listing, caption="Wohnzimmer")
    return listing


@pytest.fixture
def no_opt_in(office: Any) -> None:
    from maklerwerk.inquiries.services import settings_for

    cfg = settings_for(office)
    cfg.double_opt_in = False  # the contact is taken in at once
    cfg.send_expose = False
    cfg.save()


def link_tour(prop: Any, agent: Any, **extra: Any) -> tuple[Any, str]:
    from maklerwerk.tours.services import TourData, tour_create

    data = {
        "link": "https://my.matterport.com/show/?m=SxQL3iGyoDo",
        "requires_registration": True,
        "rooms": tuple(ROOMS),
        **extra,
    }
    return tour_create(prop=prop, data=TourData(**data), acting_user=agent)


@pytest.fixture
def tour(prop: Any, agent: Any) -> Any:
    return link_tour(prop, agent)[0]


def sign(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_MAKLERWERK_TIMESTAMP": str(ts), "HTTP_X_MAKLERWERK_SIGNATURE": f"sha256={mac}"}


def beacon(visit_id: str, seq: int, room: str = "", **seconds: float) -> bytes:
    return json.dumps({"visit_id": visit_id, "seq": seq, "room": room, "seconds": seconds}).encode()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def standin_provider() -> Iterator[str]:
    """The stand-in provider: static HTML whose embed reports room changes by postMessage, as a
    page with Matterport's Showcase SDK does (`Room.current`)."""
    handler = functools.partial(_Quiet, directory=str(STANDIN))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
