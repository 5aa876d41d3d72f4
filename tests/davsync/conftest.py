"""Radicale 3.9 as the real CardDAV/CalDAV server (RECIPES.md section 3), one per session; each
test gets its own fresh address book collection."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import caldav
import pytest
import requests

from maklerwerk.davsync import services
from tests.live.dovecot import _wait_port, free_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vcard"


@pytest.fixture(scope="session")
def dav_server() -> Iterator[dict[str, str]]:
    d, port = Path(tempfile.mkdtemp(prefix="crm-dav-")), free_port()
    (d / "users").write_text("agent:secret\nother:secret\n")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(d / "col"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(d / "users"),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",
            "--logging-level",
            "warning",
        ]
    )
    _wait_port(port, proc)
    yield {"url": f"http://127.0.0.1:{port}/", "user": "agent", "password": "secret"}
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(d, ignore_errors=True)


class Book:
    """A fresh address book on the server, written and read with plain requests (the "phone")."""

    def __init__(self, server: dict[str, str], name: str = "") -> None:
        self.session = requests.Session()
        self.session.auth = (server["user"], server["password"])
        self.url = f"{server['url']}{server['user']}/{name or uuid.uuid4().hex}/"
        body = (
            '<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            "<D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>"
            "</D:prop></D:set></D:mkcol>"
        )
        response = self.session.request("MKCOL", self.url, data=body)
        assert response.status_code == 201, response.text

    def put(self, name: str, card: bytes | str, etag: str | None = None) -> requests.Response:
        data = card.encode() if isinstance(card, str) else card
        headers = {"Content-Type": "text/vcard"}
        if etag:
            headers["If-Match"] = etag
        response = self.session.put(self.url + name, data=data, headers=headers)
        assert response.status_code in (201, 204), response.text
        return response

    def get(self, name: str) -> str:
        response = self.session.get(self.url + name)
        assert response.status_code == 200, response.status_code
        return response.text

    def delete(self, name: str) -> None:
        assert self.session.delete(self.url + name).status_code in (200, 204)

    def listing(self) -> dict[str, str]:
        """name -> ETag of every card."""
        body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
        response = self.session.request("PROPFIND", self.url, data=body, headers={"Depth": "1"})
        out = {}
        from defusedxml import ElementTree

        for item in ElementTree.fromstring(response.content).iter("{DAV:}response"):
            href = item.findtext("{DAV:}href") or ""
            if not href.endswith("/"):
                out[href.rsplit("/", 1)[-1]] = item.findtext(".//{DAV:}getetag") or ""
        return out


@pytest.fixture
def book(dav_server: dict[str, str]) -> Book:
    return Book(dav_server)


@pytest.fixture
def account(agent: Any, book: Book, dav_server: dict[str, str]) -> Any:
    return services.dav_account_create(
        user=agent,
        data={
            "kind": "carddav",
            "url": book.url,
            "username": dav_server["user"],
            "password": dav_server["password"],
            "scope": "flagged",
        },
    )


def card(uid: str, first: str, last: str, *, email: str = "", tel: str = "", extra: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}", f"N:{last};{first};;;", f"FN:{first} {last}"]
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET,HOME:{email}")
    if tel:
        lines.append(f"TEL;TYPE=CELL:{tel}")
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def upload_fixture(book: Book, filename: str) -> list[str]:
    """Put every card of a real vCard file on the server as its own item (a UID is added where the
    exporter wrote none, as a phone's address book does); returns the item names."""
    raw = (FIXTURES / filename).read_bytes()
    names = []
    for i, chunk in enumerate(raw.split(b"END:VCARD")[:-1]):
        text = chunk.strip(b"\r\n") + b"\r\nEND:VCARD\r\n"
        if b"\nUID:" not in text.replace(b"\r\n", b"\n"):
            text = text.replace(b"VERSION:", f"UID:fixture-{filename}-{i}\r\nVERSION:".encode(), 1)
        name = f"{filename.removesuffix('.vcf')}-{i}.vcf"
        book.put(name, text)
        names.append(name)
    return names


@pytest.fixture
def calendar(dav_server: dict[str, str]) -> Any:
    make: Any = caldav.DAVClient  # caldav exports it lazily; mypy sees a plain object
    client = make(dav_server["url"], username=dav_server["user"], password=dav_server["password"])
    return client.principal().make_calendar(name=f"Termine {uuid.uuid4().hex[:6]}")


@pytest.fixture
def cal_account(agent: Any, calendar: Any, dav_server: dict[str, str]) -> Any:
    return services.dav_account_create(
        user=agent,
        data={
            "kind": "caldav",
            "url": str(calendar.url),
            "username": dav_server["user"],
            "password": dav_server["password"],
        },
    )
