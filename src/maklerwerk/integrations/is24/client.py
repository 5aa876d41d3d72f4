"""ImmobilienScout24 Import/Export REST API (JSON), signed with OAuth 1.0a (requests-oauthlib).

A few typed calls, each with its reference. Errors become `Is24Error` with the HTTP status, IS24's
message code, a German hint and `permanent` (a 412 field error or a refused token stays wrong until
someone changes data or reconnects; a 5xx or a dropped connection may pass). A 429 is waited out
in place when IS24's `Retry-After` is short (at most `MAX_WAIT` seconds, `ATTEMPTS` times); a
longer one becomes an error that carries `retry_after`, so the transfer stops and the next run
starts once the limit has passed (the run keeps what went out; nothing is sent twice).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

TIMEOUT = 30
MAX_WAIT = 10.0
ATTEMPTS = 3
API = "/restapi/api/offer/v1.0"
CHANNEL_IS24 = 10000
CHANNEL_HOMEPAGE = 10001
# "Error while validating input for the resource. [MESSAGE: field : value : CODE]"
FIELD_ERROR = re.compile(r"\[MESSAGE:\s*([^:\]]+?)\s*:\s*([^:\]]*?)\s*:\s*([A-Z0-9_]+)\s*\]")
FIELD_HINTS = {
    "MANDATORY_FIELD_EMPTY": "Pflichtangabe fehlt",
    "LENGTH_EXCEEDED": "Text zu lang",
    "EV_EFFICIENCY_CLASS_NOT_VALID_FOR_THIS_CERTIFICATE": "Effizienzklasse passt nicht zum Energieausweis",
    "EV_NOT_AVAILABLE_BUT_FIELDS_FILLED": "Ohne Energieausweis dürfen keine Energiewerte gesendet werden",
}


@dataclass
class Is24Error(Exception):
    status: int
    code: str
    message: str
    permanent: bool = True
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    request_ref: str = ""
    retry_after: float = 0.0  # seconds IS24 asks to wait (429)

    def __str__(self) -> str:
        return self.hint

    @property
    def hint(self) -> str:
        """German, for the agent: what is wrong and where."""
        if self.status == 401:
            return (
                "ImmobilienScout24 lehnt die Anmeldung ab (Token abgelaufen oder widerrufen): "
                "bitte neu verbinden."
            )
        if self.status == 429:
            wait = f" in {math.ceil(self.retry_after)} Sekunden" if self.retry_after else ""
            return (
                "ImmobilienScout24: Anfragelimit erreicht. Die Übertragung pausiert und setzt"
                f"{wait} fort; bereits Gesendetes wird nicht noch einmal gesendet."
            )
        if self.fields:
            parts = [f"{name}: {FIELD_HINTS.get(code, code)}" for name, _value, code in self.fields]
            return "ImmobilienScout24 lehnt Angaben ab – " + "; ".join(parts)
        if self.status == 409:
            return "ImmobilienScout24: Diese Kennung gibt es dort schon (doppeltes Objekt verhindert)."
        ref = f" (Referenz {self.request_ref})" if self.request_ref else ""
        return f"ImmobilienScout24 antwortet {self.status} {self.code}: {self.message}{ref}"


@dataclass(frozen=True)
class Credentials:
    base_url: str
    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str


def _messages(response: requests.Response) -> tuple[str, str, str]:
    """(code, message, id) of the first `common.messages` entry; plain-text bodies pass as message."""
    try:
        data = response.json()
    except ValueError:
        return "", response.text[:300], ""
    messages = data.get("common.messages") or [{}]
    first = messages[0].get("message", {}) if isinstance(messages[0], dict) else {}
    if isinstance(first, list):
        first = first[0] if first else {}
    return str(first.get("messageCode", "")), str(first.get("message", "")), str(first.get("id", ""))


def _error(response: requests.Response) -> Is24Error:
    code, message, _id = _messages(response)
    return Is24Error(
        status=response.status_code,
        code=code,
        message=message,
        permanent=response.status_code < 500 and response.status_code != 429,
        fields=FIELD_ERROR.findall(message),
        request_ref=response.headers.get("L-Is24-Requestrefnum", ""),
        retry_after=_retry_after(response) if response.status_code == 429 else 0.0,
    )


def _retry_after(response: requests.Response) -> float:
    """`Retry-After` in seconds (IS24 sends seconds; a missing or odd value counts as one)."""
    try:
        return max(1.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


class Is24Client:
    """The calls Maklerwerk makes on behalf of one IS24 user (`me`)."""

    def __init__(self, credentials: Credentials) -> None:
        self.base = credentials.base_url.rstrip("/") + API
        self.session = OAuth1Session(
            credentials.consumer_key,
            client_secret=credentials.consumer_secret,
            resource_owner_key=credentials.token,
            resource_owner_secret=credentials.token_secret,
        )
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Maklerwerk"})

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.session.request(method, self.base + path, timeout=TIMEOUT, **kwargs)
            except requests.RequestException as exc:
                raise Is24Error(0, "CONNECTION", f"nicht erreichbar: {exc}", permanent=False) from exc
            if response.status_code == 429 and attempt < ATTEMPTS and _retry_after(response) <= MAX_WAIT:
                time.sleep(_retry_after(response))  # a short pause: wait it out in place
                continue
            if response.status_code >= 400:
                raise _error(response)
            return response
        raise AssertionError("unreachable")

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/retrieve-real-estate-by-id
    def realestate_by_external_id(self, external_id: str) -> dict[str, Any] | None:
        try:
            response = self._call("GET", f"/user/me/realestate/ext-{_ext(external_id)}")
        except Is24Error as exc:
            if exc.status == 404:
                return None
            raise
        data = response.json()
        return next(iter(data.values())) if data else None

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/retrieve-real-estate-by-id
    def realestate(self, realestate_id: str) -> tuple[str, dict[str, Any]] | None:
        """(type, body) of the real estate with this Scout id (type as "apartmentBuy"), None if gone."""
        try:
            data = self._call("GET", f"/user/me/realestate/{quote(realestate_id, safe='')}").json()
        except Is24Error as exc:
            if exc.status == 404:
                return None
            raise
        root, body = next(iter(data.items())) if data else ("", {})
        return root.split(".", 1)[-1], dict(body)

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/retrieve-all-real-estates
    # (`realestates.realEstates`: `Paging` with pageNumber/numberOfPages, a `realEstateList` of at
    # most 100 `realEstateElement`s; pages count from 1)
    def realestates(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every real estate of the account as its list element (`@id`, `externalId`, `title`,
        `state`, the type in `@xsi.type`), page by page."""
        number = 1
        while True:
            params = {"pagenumber": number, "pagesize": page_size}
            data = self._call("GET", "/user/me/realestate/", params=params).json()
            found = data.get("realestates.realEstates") or {}
            elements = (found.get("realEstateList") or {}).get("realEstateElement") or []
            yield from [elements] if isinstance(elements, dict) else elements
            pages = int((found.get("Paging") or {}).get("numberOfPages") or 1)
            if number >= pages or not elements:
                return
            number += 1

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/insert-real-estate
    def realestate_create(self, body: dict[str, Any]) -> str:
        response = self._call("POST", "/user/me/realestate", json=body)
        return _messages(response)[2]

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/update-real-estate-by-id
    def realestate_update(self, external_id: str, body: dict[str, Any]) -> None:
        self._call("PUT", f"/user/me/realestate/ext-{_ext(external_id)}", json=body)

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/update-real-estate-by-id
    def realestate_update_by_id(self, realestate_id: str, body: dict[str, Any]) -> None:
        self._call("PUT", f"/user/me/realestate/{quote(realestate_id, safe='')}", json=body)

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/delete-real-estate
    def realestate_delete(self, realestate_id: str) -> None:
        self._call("DELETE", f"/user/me/realestate/{realestate_id}")

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/attachment/retrieve-all-attachments
    def attachments(self, realestate_id: str) -> list[dict[str, Any]]:
        data = self._call("GET", f"/user/me/realestate/{realestate_id}/attachment").json()
        groups = data.get("common.attachments") or [{}]
        return list(groups[0].get("attachment", []))

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/attachment/insert-attachment
    def attachment_create(
        self, realestate_id: str, *, content: bytes, filename: str, mime: str, metadata: dict[str, Any]
    ) -> str:
        files = {
            "attachment": (filename, content, mime),
            "metadata": ("body.json", json.dumps({"common.attachment": metadata}), "application/json"),
        }
        response = self._call("POST", f"/user/me/realestate/{realestate_id}/attachment", files=files)
        return _messages(response)[2]

    # Reference: https://api.immobilienscout24.de/our-apis/import-export/attachments/post.html ("Links
    # (URLs) can be posted, as well. The body contains the data as XML or JSON and there is no binary
    # attachment."); the type is common:Link of common-1.0.xsd: title ≤ 30, externalId ≤ 50, url ≤ 2000.
    def link_attachment_create(
        self, realestate_id: str, *, url: str, title: str, external_id: str, checksum: str
    ) -> str:
        metadata = {
            "@xmlns": {"common": "http://rest.immobilienscout24.de/schema/common/1.0"},
            "@xsi.type": "common:Link",
            "title": title[:30],
            "externalId": external_id[:50],
            "externalCheckSum": checksum,
            "url": url,
        }
        response = self._call(
            "POST", f"/user/me/realestate/{realestate_id}/attachment", json={"common.attachment": metadata}
        )
        return _messages(response)[2]

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/attachment/delete-attachment
    def attachment_delete(self, realestate_id: str, attachment_id: str) -> None:
        self._call("DELETE", f"/user/me/realestate/{realestate_id}/attachment/{attachment_id}")

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/attachment/update-attachment-order
    def attachments_order(self, realestate_id: str, attachment_ids: list[str]) -> None:
        body = {"attachmentsorder.attachmentsorder": {"attachmentId": attachment_ids}}
        self._call("PUT", f"/user/me/realestate/{realestate_id}/attachment/attachmentsorder", json=body)

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/publish/published-channel
    def published_channels(self, realestate_id: str) -> list[int]:
        data = self._call("GET", "/publish", params={"realestate": realestate_id}).json()
        objects = (data.get("common.publishObjects") or {}).get("publishObject", [])
        return [int(o["publishChannel"]["@id"]) for o in objects]

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/publish/publish-real-estate
    def publish(self, realestate_id: str, channel: int = CHANNEL_IS24) -> None:
        body = {
            "common.publishObject": {"realEstate": {"@id": realestate_id}, "publishChannel": {"@id": channel}}
        }
        self._call("POST", "/publish", json=body)

    # Reference: https://api.immobilienscout24.de/our-apis/import-export/publish.html (DELETE)
    def unpublish(self, realestate_id: str, channel: int = CHANNEL_IS24) -> None:
        try:
            self._call("DELETE", f"/publish/{realestate_id}_{channel}")
        except Is24Error as exc:
            if exc.status != 404:  # not published: nothing to take down
                raise


def _ext(external_id: str) -> str:
    """External ids in the path: spaces as %20 and "/" encoded (IS24 update notes)."""
    return quote(external_id, safe="")


# --- "Mit ImmobilienScout24 verbinden": OAuth 1.0a three-legged, per user -------------------------
SECURITY = "/restapi/security/oauth"


def _token_error(exc: Exception) -> Is24Error:
    status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
    return Is24Error(
        status, "OAUTH", f"Verbindung mit ImmobilienScout24 fehlgeschlagen: {exc}", permanent=status != 0
    )


# Reference: https://api.immobilienscout24.de/api-docs/authentication/three-legged/
def connect_start(
    base_url: str, consumer_key: str, consumer_secret: str, callback: str
) -> tuple[str, str, str]:
    """Step 1: a request token; (token, secret, the IS24 page where the user confirms access)."""
    base = base_url.rstrip("/") + SECURITY
    session = OAuth1Session(consumer_key, client_secret=consumer_secret, callback_uri=callback)
    try:
        tokens = session.fetch_request_token(f"{base}/request_token", timeout=TIMEOUT)
    except (requests.RequestException, ValueError, TokenRequestDenied) as exc:
        raise _token_error(exc) from exc
    return (
        tokens["oauth_token"],
        tokens["oauth_token_secret"],
        session.authorization_url(f"{base}/confirm_access"),
    )


# Reference: https://api.immobilienscout24.de/api-docs/authentication/three-legged/
def connect_finish(
    base_url: str, consumer_key: str, consumer_secret: str, token: str, secret: str, verifier: str
) -> tuple[str, str]:
    """Step 3: the confirmed request token and its verifier for the user's access token (token, secret)."""
    session = OAuth1Session(
        consumer_key, client_secret=consumer_secret, resource_owner_key=token,
        resource_owner_secret=secret, verifier=verifier,
    )  # fmt: skip
    try:
        tokens = session.fetch_access_token(f"{base_url.rstrip('/')}{SECURITY}/access_token", timeout=TIMEOUT)
    except (requests.RequestException, ValueError, TokenRequestDenied) as exc:
        raise _token_error(exc) from exc
    return tokens["oauth_token"], tokens["oauth_token_secret"]
