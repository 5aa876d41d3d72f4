"""A tiny WSGI CardDAV stand-in for what Radicale does not do: a server that rewrites every card
it is sent (and answers PUT without an ETag), knows no sync-collection, holds cards that cannot be
read, and can run out of space (507). Only for those cases; everything else runs against Radicale."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from defusedxml import ElementTree

PATH = "/book/"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the base class names it `format`
        pass


@dataclass
class StandIn:
    cards: dict[str, bytes] = field(default_factory=dict)
    full: bool = False  # every PUT answers 507
    puts: int = 0
    requests: int = 0
    url: str = ""

    def etag(self, name: str) -> str:
        return '"' + hashlib.sha256(self.cards[name]).hexdigest()[:16] + '"'

    @staticmethod
    def rewrite(body: bytes) -> bytes:
        """What some servers do: unfold, put the properties in another order, add their PRODID."""
        lines: list[bytes] = []
        for line in body.replace(b"\r\n", b"\n").split(b"\n"):
            if line[:1] == b" " and lines:
                lines[-1] += line[1:]
            elif line.strip():
                lines.append(line)
        inner = sorted(ln for ln in lines if not ln.upper().startswith((b"BEGIN:", b"END:", b"VERSION:")))
        return (
            b"\r\n".join([b"BEGIN:VCARD", b"VERSION:3.0", b"PRODID:-//StandIn//EN", *inner, b"END:VCARD"])
            + b"\r\n"
        )

    def __call__(self, environ: dict[str, Any], start: Any) -> Iterator[bytes]:
        self.requests += 1
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        name = path.removeprefix(PATH)
        status, headers, out = "404 Not Found", [], b""
        if method == "PROPFIND" and path == PATH:
            items = (
                [(PATH, "")]
                if environ.get("HTTP_DEPTH") == "0"
                else [(PATH, ""), *((PATH + n, self.etag(n)) for n in self.cards)]
            )
            status, out = "207 Multi-Status", _multistatus(items)
        elif method == "REPORT" and b"sync-collection" in body:
            status, out = (
                "403 Forbidden",
                b'<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>',
            )
        elif method == "REPORT":
            hrefs = [h.text or "" for h in ElementTree.fromstring(body).iter("{DAV:}href")]
            names = [h.removeprefix(PATH) for h in hrefs if h.removeprefix(PATH) in self.cards]
            status, out = (
                "207 Multi-Status",
                _multistatus([(PATH + n, self.etag(n)) for n in names], self.cards),
            )
        elif method == "GET" and name in self.cards:
            status, headers, out = "200 OK", [("ETag", self.etag(name))], self.cards[name]
        elif method == "PUT":
            self.puts += 1
            if self.full:
                status = "507 Insufficient Storage"
            elif environ.get("HTTP_IF_NONE_MATCH") == "*" and name in self.cards:
                status = "412 Precondition Failed"
            else:
                status = "201 Created" if name not in self.cards else "204 No Content"
                self.cards[name] = self.rewrite(body)  # and no ETag in the answer: it changed the body
        elif method == "DELETE" and name in self.cards:
            del self.cards[name]
            status = "204 No Content"
        start(status, [("Content-Type", "application/xml; charset=utf-8"), *headers])
        return iter([out])


def _multistatus(items: list[tuple[str, str]], cards: dict[str, bytes] | None = None) -> bytes:
    parts = []
    for href, etag in items:
        data = ""
        if cards is not None:
            text = cards[href.removeprefix(PATH)].decode("utf-8", "replace")
            data = "<C:address-data>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</C:address-data>"
        parts.append(
            f"<D:response><D:href>{href}</D:href><D:propstat><D:prop><D:getetag>{etag}</D:getetag>{data}"
            "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
        )
    return (
        '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        + "".join(parts)
        + "</D:multistatus>"
    ).encode()


def serve(app: StandIn) -> tuple[WSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    app.url = f"http://127.0.0.1:{server.server_port}{PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
