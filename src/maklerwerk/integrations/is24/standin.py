"""A local ImmobilienScout24 Import/Export API stand-in, for tests and for a demo without IS24 credentials.

Built from IS24's public documentation (api.immobilienscout24.de/api-docs: real estate insert,
update, retrieve, delete; attachments and their order; publish; rate limiting; responses) and its
public schemas for the field order (realestates-1.0.xsd / common-1.0.xsd as kept by
OpenEstate-IS24-REST, Apache-2.0). What it does, like IS24:

- verifies every OAuth 1.0a signature (HMAC-SHA1, RFC 5849, with oauthlib): a wrong key, token or
  signature is a 401 ERROR_COMMON_AUTHENTICATION_REQUIRED, a replayed nonce a 401
  ERROR_COMMON_AUTHENTICATION_OAUTH_NONCE_EXPIRED; a revoked token (`revoke`) stops working;
- keeps real estates (JSON, `realestates.<type>`), attachments (pictures and PDFs as multipart,
  "Link" attachments as JSON without a binary part) and publications per user in memory;
  `ext-{externalId}` addressing; 201 + `Location` + `common.messages` on create;
- checks the field order of a body against the schema order (400 "Invalid content was found
  starting with element …"), mandatory fields, lengths and the energy-certificate rules (412
  "Error while validating input for the resource. [MESSAGE: field : value : CODE]"); a second
  object with the same externalId is a 409; the type of a listing cannot change on PUT;
- answers `X-RateLimit-Limit` / `X-RateLimit-Remaining`, and 429 + `Retry-After` over the limit;
- records every request (`requests`), and counts publishes that overlapped (`parallel_publishes`).

Run it alone: `python -m maklerwerk.integrations.is24.standin --port 8924` (loopback only).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import string
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import request_uri

from oauthlib.oauth1 import AccessTokenEndpoint, RequestTokenEndpoint, RequestValidator, ResourceEndpoint

from maklerwerk.integrations.is24.standin_rules import Problem, validate, validation_problem

API = "/restapi/api/offer/v1.0"
SECURITY = "/restapi/security/oauth/"
REASONS = {
    200: "OK",
    201: "Created",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    429: "Too Many Requests",
}
MAX_ATTACHMENTS = 150
MAX_LINKS = 150
LINK_URL = re.compile(r"(http|https)://\w.*[.]\w.*")  # the pattern of common:Link/url


@dataclass
class Account:
    username: str
    realestates: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # id → {"type", "body", "attachments", ...}


@dataclass
class Recorded:
    method: str
    path: str
    keys: list[str]
    at: float


class _Validator(RequestValidator):
    """oauthlib's questions, answered from the stand-in's one consumer and its tokens."""

    enforce_ssl = False
    safe_characters = set(string.ascii_letters + string.digits + "-_.")
    client_key_length = (3, 100)
    access_token_length = (3, 100)
    nonce_length = (8, 100)
    dummy_client = "dummy-client"
    dummy_access_token = "dummy-token"  # noqa: S105  # oauthlib's placeholder, not a secret

    def __init__(self, app: Is24StandIn) -> None:
        super().__init__()
        self.app = app
        self.replayed = threading.local()

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return ("HMAC-SHA1",)

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == self.app.consumer_key

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return self.app.consumer_secret if client_key == self.app.consumer_key else "dummy"

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token in self.app.tokens

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self.app.tokens.get(token, ("dummy", ""))[0]

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        key = (client_key, timestamp, nonce, access_token)
        with self.app.lock:
            if key in self.app.nonces:
                self.replayed.value = True
                return False
            self.app.nonces.add(key)
        return True

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True

    # --- the three-legged "connect" flow (request token, confirm access, access token) ----------
    request_token_length = (3, 100)
    verifier_length = (3, 100)

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def validate_requested_realms(self, client_key: str, realms: Any, request: Any) -> bool:
        return True

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        return True

    def save_request_token(self, token: Any, request: Any) -> None:
        with self.app.lock:
            self.app.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"], "callback": request.redirect_uri, "verifier": "",
                "username": "",
            }  # fmt: skip

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        return token in self.app.request_tokens

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self.app.request_tokens.get(token, {}).get("secret", "dummy")

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        found = self.app.request_tokens.get(token)
        return bool(found and found["verifier"] and found["verifier"] == verifier)

    def verify_request_token(self, token: str, request: Any) -> bool:
        return token in self.app.request_tokens

    def get_realms(self, token: str, request: Any) -> list[str]:
        return []

    def invalidate_request_token(self, client_key: str, request_token: str, request: Any) -> None:
        with self.app.lock:
            self.app.request_tokens.pop(request_token, None)

    def save_access_token(self, token: Any, request: Any) -> None:
        """The access token belongs to the IS24 user who confirmed the request token."""
        confirmed = self.app.request_tokens.get(request.resource_owner_key, {})
        self.app.add_user(confirmed.get("username", ""), token["oauth_token"], token["oauth_token_secret"])


class Is24StandIn:
    """The WSGI application. `tokens`: access token → (secret, username)."""

    def __init__(
        self,
        consumer_key: str = "maklerwerk-key",
        consumer_secret: str = "maklerwerk-secret",  # noqa: S107
    ) -> None:
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.tokens: dict[str, tuple[str, str]] = {}
        self.accounts: dict[str, Account] = {}
        self.nonces: set[tuple[Any, ...]] = set()
        self.requests: list[Recorded] = []
        self.publications: set[tuple[str, int]] = set()
        self.lock = threading.Lock()
        self._publishing = threading.Lock()
        self.parallel_publishes = 0
        self.rate_limit = 2000
        self.rate_window = 60.0  # seconds: IS24 counts calls per minute
        self.throttled = 0  # calls answered 429
        self._window: list[float] = []
        self._ids = itertools.count(70601680)
        self._validator = _Validator(self)
        self._endpoint = ResourceEndpoint(self._validator)
        self.request_tokens: dict[str, dict[str, str]] = {}
        self.approve_as = ""  # the IS24 user who confirms access on the "connect" page
        self._request_endpoint = RequestTokenEndpoint(self._validator)
        self._access_endpoint = AccessTokenEndpoint(self._validator)

    # --- administration (tests, demo) -----------------------------------------------------------

    def add_user(self, username: str, token: str, secret: str) -> None:
        self.tokens[token] = (secret, username)
        self.accounts.setdefault(username, Account(username))

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def listings(self, username: str) -> dict[str, dict[str, Any]]:
        return self.accounts[username].realestates

    def by_external_id(self, username: str, external_id: str) -> dict[str, Any] | None:
        return next(
            (r for r in self.listings(username).values() if r["body"].get("externalId") == external_id), None
        )

    # --- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers: dict[str, str] = {}
        try:
            status, payload, headers = self._handle(environ, body)
        except Problem as problem:
            status = problem.status
            payload = {
                "common.messages": [{"message": {"messageCode": problem.code, "message": problem.message}}]
            }
            if status == 429:
                headers["Retry-After"] = str(self._retry_after())
        headers.update(self._rate_headers())
        headers["L-Is24-Requestrefnum"] = f"standin-{len(self.requests)}"
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        content_type = headers.pop("Content-Type", "application/json;charset=UTF-8")
        reason = REASONS.get(status, "Error")
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(data))),
                *headers.items(),
            ],
        )
        return [data]

    def _rate_headers(self) -> dict[str, str]:
        remaining = max(0, self.rate_limit - len(self._window))
        return {"X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": str(remaining)}

    def _count(self) -> None:
        now = time.monotonic()
        with self.lock:
            self._window = [t for t in self._window if now - t < self.rate_window]
            if len(self._window) >= self.rate_limit:
                self.throttled += 1
                raise Problem(429, "ERROR_QUOTA_EXCEEDED", "Rate limit exceeded.")
            self._window.append(now)

    def _retry_after(self) -> int:
        """Whole seconds until the oldest call of the window leaves it (at least 1)."""
        with self.lock:
            oldest = min(self._window, default=time.monotonic())
        return max(1, math.ceil(self.rate_window - (time.monotonic() - oldest)))

    def _authenticate(self, environ: dict[str, Any], body: bytes) -> Account:
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        content_type = environ.get("CONTENT_TYPE", "")
        form = body if content_type.startswith("application/x-www-form-urlencoded") else None
        if form is not None:
            headers["Content-Type"] = content_type
        self._validator.replayed.value = False
        valid, request = self._endpoint.validate_protected_resource_request(
            _signed_uri(environ), http_method=environ["REQUEST_METHOD"], body=form, headers=headers
        )
        if not valid:
            if getattr(self._validator.replayed, "value", False):
                raise Problem(
                    401, "ERROR_COMMON_AUTHENTICATION_OAUTH_NONCE_EXPIRED", "The nonce was used before."
                )
            raise Problem(401, "ERROR_COMMON_AUTHENTICATION_REQUIRED", "Authentication required.")
        return self.accounts[self.tokens[request.resource_owner_key][1]]

    def _handle(self, environ: dict[str, Any], body: bytes) -> tuple[int, Any, dict[str, str]]:
        method, path = environ["REQUEST_METHOD"], _raw_path(environ)
        if path.startswith(SECURITY):
            return self._oauth(environ, body, path[len(SECURITY) :])
        account = self._authenticate(environ, body)
        self._count()
        data: Any = None
        if body and environ.get("CONTENT_TYPE", "").startswith("application/json"):
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "Required request body is missing") from exc
        keys = (
            list(next(iter(data.values())).keys())
            if isinstance(data, dict) and data and isinstance(next(iter(data.values())), dict)
            else []
        )
        with self.lock:
            self.requests.append(Recorded(method, path, keys, time.monotonic()))
        query = environ.get("QUERY_STRING", "")
        return self._route(account, method, path, query, data, environ, body)

    def _oauth(self, environ: dict[str, Any], body: bytes, step: str) -> tuple[int, Any, dict[str, str]]:
        """OAuth 1.0a three-legged: request_token → confirm_access (the IS24 user approves; here
        `approve_as`) → access_token. Token answers are form-encoded, as IS24's."""
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        uri, method = _signed_uri(environ), environ["REQUEST_METHOD"]
        if step == "request_token":
            _h, answer, status = self._request_endpoint.create_request_token_response(
                uri, method, body, headers
            )
            return status, answer.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        if step == "access_token":
            _h, answer, status = self._access_endpoint.create_access_token_response(
                uri, method, body, headers
            )
            return status, answer.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        if step == "confirm_access":
            from urllib.parse import parse_qs, urlencode

            token = parse_qs(environ.get("QUERY_STRING", "")).get("oauth_token", [""])[0]
            found = self.request_tokens.get(token)
            if found is None or not self.approve_as:
                raise Problem(401, "ERROR_COMMON_AUTHENTICATION_REQUIRED", "Access not confirmed.")
            found["username"], found["verifier"] = self.approve_as, f"verifier-{next(self._ids)}"
            self.accounts.setdefault(self.approve_as, Account(self.approve_as))
            query = urlencode(
                {"oauth_token": token, "oauth_verifier": found["verifier"], "state": "confirmed"}
            )
            separator = "&" if "?" in found["callback"] else "?"
            return 302, b"", {"Location": f"{found['callback']}{separator}{query}"}
        raise Problem(404, "ERROR_COMMON_RESOURCE_NOT_FOUND", "Unknown resource.")

    def _route(
        self,
        account: Account,
        method: str,
        path: str,
        query: str,
        data: Any,
        environ: dict[str, Any],
        body: bytes,
    ) -> tuple[int, Any, dict[str, str]]:
        if not path.startswith(API):
            raise Problem(404, "ERROR_COMMON_RESOURCE_NOT_FOUND", "Unknown resource.")
        rest = path[len(API) :]
        if rest.startswith("/publish"):
            return self._publish(account, method, rest, query, data)
        m = re.fullmatch(r"/user/[^/]+/realestate/?", rest)
        if m and method == "POST":
            return self._create(account, data)
        if m and method == "GET":
            return self._list(account, path, query)
        m = re.fullmatch(r"/user/[^/]+/realestate/([^/]+)(/attachment(?:/([^/]+))?)?", rest)
        if not m:
            raise Problem(404, "ERROR_COMMON_RESOURCE_NOT_FOUND", "Unknown resource.")
        realestate_id = self._resolve(account, m.group(1))
        if m.group(2):
            return self._attachments(account, realestate_id, method, m.group(3), data, environ, body)
        return self._realestate(account, realestate_id, method, data)

    # Reference: https://api.immobilienscout24.de/api-docs/import-export/real-estate/retrieve-all-real-estates
    # (`realestates.realEstates` = common:Paging + a realEstateList of at most 100 list elements, 1-based
    # pages; realestates-1.0.xsd / offerListElement-1.0.xsd)
    def _list(self, account: Account, path: str, query: str) -> tuple[int, Any, dict[str, str]]:
        from urllib.parse import parse_qs

        params = parse_qs(query)
        try:
            number = int(params.get("pagenumber", ["1"])[0])
            size = int(params.get("pagesize", ["20"])[0])
        except ValueError as exc:
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "pagenumber and pagesize are numbers.") from exc
        if number < 1 or not 1 <= size <= 100:
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "pagenumber >= 1, pagesize 1 to 100.")
        ids = list(account.realestates)
        pages = max(1, math.ceil(len(ids) / size))
        elements = []
        for realestate_id in ids[(number - 1) * size : number * size]:
            record = account.realestates[realestate_id]
            body = record["body"]
            elements.append(
                {
                    "@xsi.type": "offerlistelement:Offer" + record["type"][0].upper() + record["type"][1:],
                    "@id": realestate_id,
                    **{k: body[k] for k in ("externalId", "title", "address") if k in body},
                    "state": "ACTIVE" if self._published(realestate_id) else "INACTIVE",
                }
            )
        paging: dict[str, Any] = {"pageNumber": number, "pageSize": size, "numberOfPages": pages,
                                  "numberOfHits": len(ids)}  # fmt: skip
        if number < pages:
            paging = {"next": {"@xlink.href": f"{path}?pagenumber={number + 1}&pagesize={size}"}, **paging}
        listing = {"Paging": paging, "realEstateList": {"realEstateElement": elements}}
        return 200, {"realestates.realEstates": listing}, {}

    def _published(self, realestate_id: str) -> bool:
        return any(p[0] == realestate_id for p in self.publications)

    def seed(self, username: str, kind: str, body: dict[str, Any], *, published: bool = True) -> str:
        """A listing the office already has on IS24 (written by its old system): stored as IS24
        would after a POST, published on channel 10000 unless `published` is False. Its Scout id."""
        _kind, clean = validate({f"realestates.{kind}": body})
        with self.lock:
            new_id = str(next(self._ids))
            clean.setdefault("externalId", new_id)
            self.accounts.setdefault(username, Account(username)).realestates[new_id] = {
                "type": kind, "body": clean, "attachments": {}, "order": []
            }  # fmt: skip
            if published:
                self.publications.add((new_id, 10000))
        return new_id

    def _resolve(self, account: Account, key: str) -> str:
        from urllib.parse import unquote

        if key.startswith("ext-"):
            external_id = unquote(key[4:])
            found = next(
                (i for i, r in account.realestates.items() if r["body"].get("externalId") == external_id),
                None,
            )
            if found is None:
                raise Problem(
                    404, "ERROR_RESOURCE_NOT_FOUND", f"Resource [realestate] with id [{key}] not found."
                )
            return found
        if key not in account.realestates:
            raise Problem(
                404, "ERROR_RESOURCE_NOT_FOUND", f"Resource [realestate] with id [{key}] not found."
            )
        return key

    # --- real estates ---------------------------------------------------------------------------

    def _create(self, account: Account, data: Any) -> tuple[int, Any, dict[str, str]]:
        kind, body = validate(data)
        external_id = body.get("externalId")
        with self.lock:
            if external_id and any(
                r["body"].get("externalId") == external_id for r in account.realestates.values()
            ):
                raise Problem(
                    409, "ERROR_COMMON_REQUEST_CONFLICT", "RealEstate already exists for external id."
                )
            new_id = str(next(self._ids))
            if not external_id:
                body["externalId"] = new_id
            account.realestates[new_id] = {"type": kind, "body": body, "attachments": {}, "order": []}
        message = f"Resource [realestate] with id [{new_id}] has been created."
        location = f"{API}/user/{account.username}/realestate/{new_id}"
        return 201, _ok("MESSAGE_RESOURCE_CREATED", message, new_id), {"Location": location}

    def _realestate(
        self, account: Account, realestate_id: str, method: str, data: Any
    ) -> tuple[int, Any, dict[str, str]]:
        record = account.realestates[realestate_id]
        if method == "GET":
            published = self._published(realestate_id)
            body = {
                "@id": realestate_id,
                **record["body"],
                "realEstateState": "ACTIVE" if published else "INACTIVE",
            }
            return 200, {f"realestates.{record['type']}": body}, {}
        if method == "PUT":
            kind, body = validate(data)
            if kind != record["type"]:
                raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "The real estate type cannot be changed.")
            record["body"] = body  # a full replacement: what is missing is gone
            return (
                200,
                _ok(
                    "MESSAGE_RESOURCE_UPDATED",
                    f"Resource [realestate] with id [{realestate_id}] has been updated.",
                    realestate_id,
                ),
                {},
            )
        if method == "DELETE":
            with self.lock:
                del account.realestates[realestate_id]
                self.publications = {p for p in self.publications if p[0] != realestate_id}
            return (
                200,
                _ok(
                    "MESSAGE_RESOURCE_DELETED",
                    f"Resource [realestate] with id [{realestate_id}] has been deleted.",
                    realestate_id,
                ),
                {},
            )
        raise Problem(405, "ERROR_COMMON_BAD_REQUEST", "Method not allowed.")

    # --- attachments ----------------------------------------------------------------------------

    def _attachments(self, account: Account, realestate_id: str, method: str, sub: str | None, data: Any,
                     environ: dict[str, Any], body: bytes) -> tuple[int, Any, dict[str, str]]:  # fmt: skip
        record = account.realestates[realestate_id]
        items: dict[str, dict[str, Any]] = record["attachments"]
        if sub == "attachmentsorder":
            if method == "PUT":
                ids = [
                    str(i)
                    for i in (data or {}).get("attachmentsorder.attachmentsorder", {}).get("attachmentId", [])
                ]
                if sorted(ids) != sorted(items):
                    raise validation_problem("attachmentId", ",".join(ids), "ATTACHMENT_ORDER_INCOMPLETE")
                record["order"] = ids
                return (
                    200,
                    _ok("MESSAGE_RESOURCE_UPDATED", "Attachment order has been updated.", realestate_id),
                    {},
                )
            return 200, {"attachmentsorder.attachmentsorder": {"attachmentId": self.order(record)}}, {}
        if sub is None and method == "GET":
            listed = [{"@id": i, **a["metadata"]} for i, a in ((i, items[i]) for i in self.order(record))]
            return 200, {"common.attachments": [{"attachment": listed}]}, {}
        if sub is None and method == "POST":
            return self._attachment_create(record, environ, body)
        if sub in items and method == "DELETE":
            del items[sub]
            record["order"] = [i for i in record["order"] if i != sub]
            return (
                200,
                _ok(
                    "MESSAGE_RESOURCE_DELETED",
                    f"Resource [attachment] with id [{sub}] has been deleted.",
                    sub,
                ),
                {},
            )
        raise Problem(404, "ERROR_RESOURCE_NOT_FOUND", f"Resource [attachment] with id [{sub}] not found.")

    @staticmethod
    def order(record: dict[str, Any]) -> list[str]:
        """The attachments in their order: the set order first, then the rest as created."""
        ordered = [i for i in record["order"] if i in record["attachments"]]
        return ordered + [i for i in record["attachments"] if i not in ordered]

    def _attachment_create(
        self, record: dict[str, Any], environ: dict[str, Any], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            return self._link_create(record, body)
        if not content_type.startswith("multipart/form-data"):
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "multipart/form-data expected.")
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        if "attachment" not in parts or "metadata" not in parts:
            raise Problem(
                400, "ERROR_COMMON_BAD_REQUEST", "The parts 'attachment' and 'metadata' are required."
            )
        if len(record["attachments"]) >= MAX_ATTACHMENTS:
            raise validation_problem("attachment", len(record["attachments"]) + 1, "MAX_ATTACHMENTS_EXCEEDED")
        metadata = json.loads(parts["metadata"].get_content()).get("common.attachment", {})
        payload = parts["attachment"].get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        kinds = {"common:Picture": b"", "common:PDFDocument": b"%PDF"}  # a PDF must be one
        kind = metadata.get("@xsi.type", "")
        if kind not in kinds and kind != "common:Link":
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", f"Unknown attachment type [{kind}].")
        if not content.startswith(kinds.get(kind, b"")):
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "The attachment does not match its type.")
        new_id = str(next(self._ids))
        record["attachments"][new_id] = {"metadata": metadata, "size": len(content)}
        return (
            201,
            _ok(
                "MESSAGE_RESOURCE_CREATED",
                f"Resource [attachment] with id [{new_id}] has been created.",
                new_id,
            ),
            {},
        )

    def _link_create(self, record: dict[str, Any], body: bytes) -> tuple[int, Any, dict[str, str]]:
        """A "Link" attachment: JSON metadata only, no binary (common:Link of common-1.0.xsd)."""
        try:
            metadata = json.loads(body).get("common.attachment", {})
        except (ValueError, AttributeError) as exc:
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "Required request body is missing") from exc
        if metadata.get("@xsi.type") != "common:Link":
            raise Problem(400, "ERROR_COMMON_BAD_REQUEST", "Only links can be posted without a binary part.")
        url = str(metadata.get("url", ""))
        if len(url) > 2000 or not LINK_URL.fullmatch(url):
            raise validation_problem("url", url, "INVALID_URL")
        if len(str(metadata.get("title", ""))) > 30:
            raise validation_problem("title", metadata.get("title"), "LENGTH_EXCEEDED")
        if len(str(metadata.get("externalId", ""))) > 50:
            raise validation_problem("externalId", metadata.get("externalId"), "LENGTH_EXCEEDED")
        links = [a for a in record["attachments"].values() if a["metadata"].get("@xsi.type") == "common:Link"]
        if len(links) >= MAX_LINKS:
            raise validation_problem("attachment", len(links) + 1, "MAX_LINKS_EXCEEDED")
        new_id = str(next(self._ids))
        record["attachments"][new_id] = {"metadata": metadata, "size": 0}
        return (
            201,
            _ok(
                "MESSAGE_RESOURCE_CREATED",
                f"Resource [attachment] with id [{new_id}] has been created.",
                new_id,
            ),
            {},
        )

    # --- publish --------------------------------------------------------------------------------

    def _publish(
        self, account: Account, method: str, rest: str, query: str, data: Any
    ) -> tuple[int, Any, dict[str, str]]:
        from urllib.parse import parse_qs

        if method == "GET":
            wanted = parse_qs(query).get("realestate", [""])[0]
            objects = [
                {"realEstate": {"@id": r}, "publishChannel": {"@id": c}}
                for r, c in sorted(self.publications)
                if r == wanted
            ]
            return 200, {"common.publishObjects": {"publishObject": objects}}, {}
        if method == "POST":
            if not self._publishing.acquire(blocking=False):
                self.parallel_publishes += 1
                self._publishing.acquire()
            try:
                obj = (data or {}).get("common.publishObject", {})
                realestate_id = str(obj.get("realEstate", {}).get("@id", ""))
                channel = int(obj.get("publishChannel", {}).get("@id", 0))
                if realestate_id not in account.realestates:
                    raise Problem(
                        404,
                        "ERROR_RESOURCE_NOT_FOUND",
                        f"Resource [realestate] with id [{realestate_id}] not found.",
                    )
                if channel not in (10000, 10001):
                    raise validation_problem("publishChannel", channel, "PUBLISH_CHANNEL_NOT_ALLOWED")
                self.publications.add((realestate_id, channel))
                key = f"{realestate_id}_{channel}"
                return (
                    201,
                    _ok(
                        "MESSAGE_RESOURCE_CREATED",
                        f"Resource [publishObject] with id [{key}] has been created.",
                        key,
                    ),
                    {},
                )
            finally:
                self._publishing.release()
        m = re.fullmatch(r"/publish/(\d+)_(\d+)", rest)
        if m and method == "DELETE":
            publication = (m.group(1), int(m.group(2)))
            if publication not in self.publications:
                raise Problem(404, "ERROR_RESOURCE_NOT_FOUND", "Resource [publishObject] not found.")
            self.publications.discard(publication)
            return (
                200,
                _ok(
                    "MESSAGE_RESOURCE_DELETED",
                    "Resource [publishObject] has been deleted.",
                    f"{publication[0]}_{publication[1]}",
                ),
                {},
            )
        raise Problem(404, "ERROR_COMMON_RESOURCE_NOT_FOUND", "Unknown resource.")


def _raw_path(environ: dict[str, Any]) -> str:
    return str(environ.get("RAW_URI") or environ.get("PATH_INFO", "")).split("?", 1)[0]


def _signed_uri(environ: dict[str, Any]) -> str:
    raw = environ.get("RAW_URI")
    return f"http://{environ['HTTP_HOST']}{raw}" if raw else request_uri(environ)


def _ok(code: str, message: str, ident: str) -> dict[str, Any]:
    return {"common.messages": [{"message": {"messageCode": code, "message": message, "id": ident}}]}


class _QuietHandler(WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        env = super().get_environ()
        env["RAW_URI"] = self.path  # as sent: the signature covers the encoded path
        return env

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def serve(app: Is24StandIn, port: int = 0) -> tuple[WSGIServer, threading.Thread, str]:
    """Start the stand-in on loopback in a thread: (server, thread, base URL)."""
    server = make_server("127.0.0.1", port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8924)
    args = parser.parse_args()
    app = Is24StandIn()
    app.add_user("demo", "demo-token", "demo-token-secret")
    _server, thread, url = serve(app, args.port)
    print(f"IS24 stand-in at {url}: consumer maklerwerk-key / maklerwerk-secret")
    print("token demo-token / demo-token-secret")
    thread.join()


if __name__ == "__main__":
    main()
