"""A small WebDAV client for CardDAV (RFC 6352) and CalDAV (RFC 4791) collections, on `requests`.

Only what two-way sync needs: RFC 6578 `sync-collection` with sync tokens, a full listing with
ETags (PROPFIND depth 1) as the fallback, `*-multiget` to read many items in one request, and
conditional writes (`If-None-Match: *` for new items, `If-Match` for changes and deletes).
Every answer that is not a success becomes a `DavError` with a German message for the account
page; a 412 is `PreconditionFailed` (the caller re-reads, decides, retries once) and an invalid
or unsupported sync token is `SyncTokenInvalid` (the caller lists everything instead).
`requests_made` counts the round trips (the tests and the benchmark assert on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import unquote, urljoin, urlsplit

import requests
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

DAV: Final = "DAV:"
CARD: Final = "urn:ietf:params:xml:ns:carddav"
CAL: Final = "urn:ietf:params:xml:ns:caldav"
TIMEOUT: Final = 120  # a first sync-collection over thousands of items can take a while
BATCH: Final = 100  # hrefs per multiget


class DavError(Exception):
    """The server refused or could not be reached; `str()` is German, for users."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PreconditionFailed(DavError):
    """412: the item changed (If-Match) or exists already (If-None-Match: *)."""


class SyncTokenInvalid(DavError):
    """The server does not know the token (any more) or does not support sync-collection."""


@dataclass(frozen=True)
class Collection:
    """An address book or calendar found by `DavClient.discover`."""

    url: str
    name: str


@dataclass
class Changes:
    changed: dict[str, str] = field(default_factory=dict)  # href -> etag ("" when not sent)
    deleted: list[str] = field(default_factory=list)
    token: str = ""


def status_message(status: int) -> str:
    messages = {
        401: _("The server refused the user name or password (401)."),
        403: _("The server does not allow this user to access the collection (403)."),
        404: _("The collection does not exist at this address (404)."),
        507: _("The server has no storage space left (507)."),
    }
    return messages.get(status, _("The server answered with an error (%(status)s).") % {"status": status})


class DavClient:
    def __init__(self, url: str, username: str, password: str, *, kind: str = "carddav") -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.kind = kind
        self.session = requests.Session()
        self.session.auth = (username, password) if username else None
        self.session.headers["User-Agent"] = "Maklerwerk-DAV-Sync"
        self.requests_made = 0
        self.writes = 0

    # -- transport ------------------------------------------------------------------------------

    def _request(self, method: str, url: str, *, ok: Iterable[int], **kwargs: object) -> requests.Response:
        self.requests_made += 1
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]  # requests' kwargs are untyped
        except requests.RequestException as exc:
            raise DavError(
                _("The server cannot be reached: %(reason)s") % {"reason": type(exc).__name__}
            ) from exc
        if response.status_code in ok:
            return response
        if response.status_code == 412:
            raise PreconditionFailed(_("The item was changed on the server in the meantime (412)."), 412)
        raise DavError(status_message(response.status_code), response.status_code)

    def href_url(self, href: str) -> str:
        return urljoin(self.url, href)

    def path(self, href_or_url: str) -> str:
        """The server-relative path of an item (hrefs come back absolute or relative)."""
        return unquote(urlsplit(urljoin(self.url, href_or_url)).path)

    @property
    def _data_prop(self) -> str:
        return "<C:address-data/>" if self.kind == "carddav" else "<C:calendar-data/>"

    @property
    def _ns(self) -> str:
        return CARD if self.kind == "carddav" else CAL

    # -- reading ----------------------------------------------------------------------------------

    def check(self) -> None:
        """The collection answers with these credentials (PROPFIND depth 0), else DavError."""
        body = _propfind("<D:resourcetype/>")
        self._request("PROPFIND", self.url, ok=(207,), data=body, headers=_xml(Depth="0"))

    def sync_collection(self, token: str) -> Changes:
        """What changed since `token` ("" = everything), with the new token (RFC 6578)."""
        body = (
            f'<?xml version="1.0"?><D:sync-collection xmlns:D="{DAV}">'
            f"<D:sync-token>{_esc(token)}</D:sync-token>"
            "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
        )
        try:
            response = self._request("REPORT", self.url, ok=(207,), data=body, headers=_xml(Depth="0"))
        except PreconditionFailed as exc:
            raise SyncTokenInvalid(_("The sync token is no longer valid."), 412) from exc
        except DavError as exc:
            if exc.status in (400, 403, 409, 415, 501, 405):
                raise SyncTokenInvalid(_("The server does not accept the sync token."), exc.status) from exc
            raise
        root = _parse(response.content)
        changes = Changes(token=(root.findtext(f"{{{DAV}}}sync-token") or "").strip())
        for item in root.iter(f"{{{DAV}}}response"):
            href = self.path(item.findtext(f"{{{DAV}}}href") or "")
            if href == self.path(self.url):
                continue
            status = item.findtext(f"{{{DAV}}}status") or ""
            if " 404" in status:
                changes.deleted.append(href)
                continue
            etag = item.findtext(f".//{{{DAV}}}getetag") or ""
            changes.changed[href] = etag.strip()
        return changes

    def list_etags(self) -> dict[str, str]:
        """Every item of the collection with its ETag (the fallback without sync tokens)."""
        body = _propfind("<D:getetag/><D:resourcetype/>")
        response = self._request("PROPFIND", self.url, ok=(207,), data=body, headers=_xml(Depth="1"))
        own = self.path(self.url)
        out: dict[str, str] = {}
        for item in _parse(response.content).iter(f"{{{DAV}}}response"):
            href = self.path(item.findtext(f"{{{DAV}}}href") or "")
            if href == own or href.endswith("/"):
                continue
            out[href] = (item.findtext(f".//{{{DAV}}}getetag") or "").strip()
        return out

    def multiget(self, hrefs: list[str]) -> dict[str, tuple[str, bytes]]:
        """href -> (etag, body) for the given items; items gone in the meantime are left out."""
        out: dict[str, tuple[str, bytes]] = {}
        tag = "addressbook-multiget" if self.kind == "carddav" else "calendar-multiget"
        for start in range(0, len(hrefs), BATCH):
            refs = "".join(f"<D:href>{_esc(h)}</D:href>" for h in hrefs[start : start + BATCH])
            body = (
                f'<?xml version="1.0"?><C:{tag} xmlns:D="{DAV}" xmlns:C="{self._ns}">'
                f"<D:prop><D:getetag/>{self._data_prop}</D:prop>{refs}</C:{tag}>"
            )
            response = self._request("REPORT", self.url, ok=(207,), data=body, headers=_xml(Depth="1"))
            data_tag = f"{{{self._ns}}}{'address-data' if self.kind == 'carddav' else 'calendar-data'}"
            for item in _parse(response.content).iter(f"{{{DAV}}}response"):
                href = self.path(item.findtext(f"{{{DAV}}}href") or "")
                data = item.find(f".//{data_tag}")
                if data is None or data.text is None:
                    continue
                etag = (item.findtext(f".//{{{DAV}}}getetag") or "").strip()
                out[href] = (etag, data.text.encode("utf-8"))
        return out

    def get(self, href: str) -> tuple[str, bytes] | None:
        """(etag, body) of one item, None when it is gone."""
        try:
            response = self._request("GET", self.href_url(href), ok=(200,))
        except DavError as exc:
            if exc.status == 404:
                return None
            raise
        return response.headers.get("ETag", ""), response.content

    # -- discovery (RFC 6764 well-known, RFC 5397 principal, RFC 6352/4791 home sets) -------------

    def _propfind_at(self, url: str, props: str, depth: str) -> tuple[str, SafeET.Element]:  # type: ignore[name-defined]  # defusedxml re-exports Element untyped
        """PROPFIND following redirects as PROPFIND (requests turns a 302 into a GET); (final url, xml)."""
        for _hop in range(5):
            response = self._request(
                "PROPFIND",
                url,
                ok=(207, 301, 302, 303, 307, 308),
                data=_propfind(props),
                headers=_xml(Depth=depth),
                allow_redirects=False,
            )
            if response.status_code == 207:
                return url, _parse(response.content)
            url = urljoin(url, response.headers.get("Location", ""))
        raise DavError(_("The server redirects in a circle."))

    def _href_prop(self, url: str, tag: str) -> str:
        """The first href of a property on `url` ("" when the server does not name one)."""
        final, root = self._propfind_at(url, f"<{tag}/>", "0")
        href = root.findtext(f".//{{{DAV}}}prop/*/{{{DAV}}}href") or ""
        return urljoin(final, href.strip()) if href.strip() else ""

    def discover(self) -> list[Collection]:
        """The address books (carddav) or calendars (caldav) of this user, starting from any address
        on the server: the collection itself, the server's root or its `/.well-known/` address."""
        home_tag = "C:addressbook-home-set" if self.kind == "carddav" else "C:calendar-home-set"
        wanted = f"{{{self._ns}}}{'addressbook' if self.kind == 'carddav' else 'calendar'}"
        starts = [self.url, urljoin(self.url, f"/.well-known/{self.kind}")]
        principal = ""
        for start in starts:
            try:
                principal = self._href_prop(start, "D:current-user-principal")
            except DavError as exc:
                if exc.status in (401, 403):
                    raise
                continue
            if principal:
                break
        if not principal:
            raise DavError(
                _("No address book or calendar service was found at this address. Please check it.")
            )
        body = f'<D:propfind xmlns:D="{DAV}" xmlns:C="{self._ns}"><D:prop><{home_tag}/></D:prop></D:propfind>'
        response = self._request("PROPFIND", principal, ok=(207,), data=body, headers=_xml(Depth="0"))
        home = _parse(response.content).findtext(f".//{{{DAV}}}prop/*/{{{DAV}}}href") or ""
        home_url = urljoin(principal, home.strip()) if home.strip() else principal
        _final, root = self._propfind_at(home_url, "<D:resourcetype/><D:displayname/>", "1")
        found: list[Collection] = []
        for item in root.iter(f"{{{DAV}}}response"):
            if item.find(f".//{{{DAV}}}resourcetype/{wanted}") is None:
                continue
            url = urljoin(home_url, (item.findtext(f"{{{DAV}}}href") or "").strip())
            name = (item.findtext(f".//{{{DAV}}}displayname") or "").strip()
            found.append(
                Collection(url=url, name=name or unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]))
            )
        return found

    # -- writing ----------------------------------------------------------------------------------

    def put(self, href: str, body: bytes, *, etag: str | None) -> str:
        """Create (`etag=None`: If-None-Match: *) or replace (If-Match) an item; its new ETag ("" when
        the server does not say). PreconditionFailed on 412."""
        content_type = (
            "text/vcard; charset=utf-8" if self.kind == "carddav" else "text/calendar; charset=utf-8"
        )
        headers = {"Content-Type": content_type}
        headers.update({"If-Match": etag} if etag else {"If-None-Match": "*"})
        self.writes += 1
        response = self._request("PUT", self.href_url(href), ok=(200, 201, 204), data=body, headers=headers)
        return response.headers.get("ETag", "")

    def delete(self, href: str, *, etag: str) -> None:
        """Delete an item (If-Match when the ETag is known); an item already gone is fine."""
        self.writes += 1
        headers = {"If-Match": etag} if etag else {}
        try:
            self._request("DELETE", self.href_url(href), ok=(200, 204), headers=headers)
        except DavError as exc:
            if exc.status != 404:
                raise


def _propfind(props: str) -> str:
    return f'<?xml version="1.0"?><D:propfind xmlns:D="{DAV}"><D:prop>{props}</D:prop></D:propfind>'


def _xml(**headers: str) -> dict[str, str]:
    return {"Content-Type": "application/xml; charset=utf-8", **headers}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(content: bytes) -> SafeET.Element:  # type: ignore[name-defined]  # defusedxml re-exports Element untyped
    try:
        return SafeET.fromstring(content)
    except Exception as exc:
        raise DavError(_("The server sent an answer that is not readable XML.")) from exc
