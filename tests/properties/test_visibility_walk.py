"""Restricted stays restricted everywhere: a walk over EVERY URL pattern and EVERY OpenAPI operation.

The cases are generated from `django.urls.get_resolver()` and from `/api/v1/openapi.json`, not from a
hand list. Each route or operation is filled with the restricted property of `visibility_world` or
with something hanging off it (image, document, contact role, share link and its token and files,
activity, task, offer, inquiry, process ...) and requested by a colleague who may not see the
property: an agent and a read-only user. Invariants:

- a request naming the property (or one of its rows) gets the same answer as one naming a record
  that does not exist: 404 (or, where the role refuses first or the method is wrong, that same
  403/405); a list filtered by the property is empty, exactly like one filtered by an unknown id;
- no answer shows any of its text (`MARK`), also not pages about other things (the contact's
  tabs, dashboards, lists, matches);
- nothing about the property changes (no rows added, changed or removed).

A route or operation whose parameters the walker cannot fill fails the walk, unless it is listed in
`NOT_ABOUT_PROPERTIES` with the reason it never touches a property: a new endpoint is never skipped
silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import api_client_for
from tests.properties.visibility_world import MARK, World, build_world, png, property_rows

MISSING_ID = 2_000_000_000
MISSING_TOKEN = "A" * 43
MISSING_KEY = "B" * 24

# Endpoints whose parameters are not a property or anything hanging off one. Everything else must
# be filled by the walker. Key: URL name (HTML) or "METHOD /api/v1/path" (API).
NOT_ABOUT_PROPERTIES = {
    "office_logo": "the office's logo",
    "user_role": "a user's role",
    "token_revoke": "an API token",
    "job_progress": "a background job (office exports are for administrators, who see every property)",
    "job_download": "a background job's file (office exports: administrators only)",
    "contacts:file_download": "a contact's own files",
    "contacts:file_delete": "a contact's own files",
    "contacts:relationship_update": "a relationship between two contacts",
    "contacts:relationship_delete": "a relationship between two contacts",
    "duplicates:merge": "two contacts",
    "duplicates:merge_detail": "a merge of two contacts (names and contact fields only)",
    "duplicates:merge_undo": "a merge of two contacts",
    "properties:notification_done": "a note to the agent about a contact's search profile",
    "properties:self_service": "the contact's public search-profile form (token of the contact)",
    "inquiries:confirm": "the prospect's public confirmation link (token sent to the prospect only)",
    "appointments:book": "the prospect's public booking page (token sent to the prospect only)",
    "calendar_feed": "a user's personal iCal feed (the secret of that user; hidden properties left out)",
    "mailing:template_edit": "a mail template",
    "mailing:template_delete": "a mail template",
    "exposes:template_edit": "an exposé layout",
    "inquiries:mailbox_fetch": "an inquiry mailbox",
    "inquiries:process_edit": "a process definition (office-wide, no property)",
    "inquiries:process_toggle": "a process definition (office-wide, no property)",
    "inquiries:process_delete": "a process definition (office-wide, no property)",
    **{
        f"imports:{n}": "an import run (the importer's log of what the file held)"
        for n in ("run", "mapping", "values", "commit", "undo", "report")
    },
    **{
        f"{m} /api/v1/imports/{{run_id}}{p}": "an import run (the importer's log of what the file held)"
        for m, p in (("GET", ""), ("GET", "/report"), ("POST", "/commit"), ("POST", "/undo"))
    },
    "portals:edit": "a portal account",
    "portals:check": "a portal account",
    "portals:transfer": "a portal account (runs of the office's assigned properties, no property named)",
    "portals:withdraw_all": "a portal account (administrators only)",
    "portals:runs": "a portal's transfer log (entries of hidden properties are left out)",
    "portals:run_package": "a portal's package (refused when it holds a hidden property)",
    "portals:feedback": "a portal's import log upload (its answer counts errors, names no property)",
    "portals:feed_token": "a portal account (administrators only: a new pull URL for the own website)",
    "portals:feed": "the own website's pull URL: no login, the secret is the key; it serves the package "
    "the website publishes, as any portal gets it",
    "portals:is24_connect": "a user's own IS24 account (no property named)",
    "portals:is24_callback": "a user's own IS24 account (no property named)",
    "portals:is24_disconnect": "a user's own IS24 account (no property named)",
    "GET /api/v1/portals/{portal_id}": "a portal account",
    "PATCH /api/v1/portals/{portal_id}": "a portal account",
    "DELETE /api/v1/portals/{portal_id}": "a portal account",
    "POST /api/v1/portals/{portal_id}/transfers": "a portal account (runs list visible properties only)",
    "GET /api/v1/portals/{portal_id}/transfers/{run_id}": "a transfer run (hidden properties left out)",
    "GET /api/v1/portals/{portal_id}/transfers/{run_id}/package": "a package (refused if it holds one)",
    "POST /api/v1/portals/{portal_id}/withdraw-all": "a portal account (administrators only)",
    "tours:page": "the tour's public page (open rooms and registration; its key is the restricted link)",
    "tours:page_beacon": "beacons of the tour's public page (anonymous, counted without personal data)",
    "tours:personal": "a prospect's personal tour link (token sent to the prospect only)",
    "tours:personal_beacon": "beacons of a prospect's personal tour link (token sent to the prospect only)",
    "POST /api/v1/tour-webhooks/{tour_id}": "a provider's signed visit report (no user; 401 unsigned)",
    "DELETE /api/v1/tokens/{token_id}": "an API token",
    "GET /api/v1/jobs/{job_id}": "a background job",
    "GET /api/v1/contacts/{contact_id}/files/{file_id}": "a contact's own files",
    "DELETE /api/v1/contacts/{contact_id}/files/{file_id}": "a contact's own files",
    "PATCH /api/v1/contacts/{contact_id}/relationships/{relationship_id}": "a relationship of contacts",
    "DELETE /api/v1/contacts/{contact_id}/relationships/{relationship_id}": "a relationship of contacts",
    "GET /api/v1/mail-templates/{template_id}": "a mail template",
    "PATCH /api/v1/mail-templates/{template_id}": "a mail template",
    "DELETE /api/v1/mail-templates/{template_id}": "a mail template",
    "GET /api/v1/mailboxes/{mailbox_id}": "an inquiry mailbox",
    "POST /api/v1/mailboxes/{mailbox_id}/fetch": "an inquiry mailbox",
    "POST /api/v1/duplicates/merges/{merge_id}/undo": "a merge of two contacts",
    "mailsync:account_edit": "the user's own mail account",
    "mailsync:account_delete": "the user's own mail account",
    "mailsync:account_sync": "the user's own mail account",
    "GET /api/v1/me/mail-accounts/{account_id}": "the user's own mail account",
    "PATCH /api/v1/me/mail-accounts/{account_id}": "the user's own mail account",
    "DELETE /api/v1/me/mail-accounts/{account_id}": "the user's own mail account",
    "POST /api/v1/me/mail-accounts/{account_id}/sync": "the user's own mail account",
    "privacy:export_download": "a contact's Datenauskunft (privacy capability: administrators only)",
    "privacy:erasure": "an erasure request of a contact (privacy capability: administrators only)",
    "privacy:erasure_execute": "an erasure request of a contact (privacy capability: administrators only)",
    "privacy:erasure_refuse": "an erasure request of a contact (privacy capability: administrators only)",
    "GET /api/v1/erasure-requests/{request_id}": "an erasure request of a contact (administrators only)",
    "POST /api/v1/erasure-requests/{request_id}/execute": "an erasure request (administrators only)",
    "privacy:unsubscribe": "the contact's public unsubscribe link (signed token of the contact)",
    "privacy:subject_request": "a rectification or objection request (privacy capability: admins only)",
    "privacy:subject_request_decide": "a rectification or objection request (administrators only)",
    "GET /api/v1/subject-requests/{request_id}": "a rectification or objection request (administrators only)",
    "POST /api/v1/subject-requests/{request_id}/decide": "a rectification or objection (administrators only)",
    "user_two_factor_reset": "a colleague's second login factor (user management)",
    "davsync:account": "the user's own address book or calendar account",
    "davsync:account_delete": "the user's own address book or calendar account",
    "davsync:account_contacts": "the contacts chosen for the user's own address book (no property)",
    "davsync:busy_take_over": "a foreign event of the user's own calendar (no property)",
    "GET /api/v1/me/dav-accounts/{account_id}": "the user's own address book or calendar account",
    "PATCH /api/v1/me/dav-accounts/{account_id}": "the user's own address book or calendar account",
    "POST /api/v1/me/dav-accounts/{account_id}/contacts": "contacts marked for the user's own address book",
    "DELETE /api/v1/me/dav-accounts/{account_id}": "the user's own address book or calendar account",
    "POST /api/v1/me/dav-accounts/{account_id}/sync": "the user's own account (syncs contacts only)",
    "GET /api/v1/me/dav-accounts/{account_id}/events": "the sync log of the user's own account",
    # The GwG file: the GwG capability only (administrators, who see every property).
    **{
        f"gwg:{n}": "the GwG file (GwG capability: administrators only)"
        for n in (
            "case",
            "party_create",
            "risk",
            "note_create",
            "close",
            "dossier_pdf",
            "dossier_zip",
            "identification",
            "id_copy",
            "extract",
            "party_delete",
            "owner_create",
            "owner_delete",
        )
    },
    **{
        op: "the GwG file (GwG capability: administrators only)"
        for op in (
            "GET /api/v1/gwg/cases/{case_id}",
            "PATCH /api/v1/gwg/cases/{case_id}",
            "POST /api/v1/gwg/cases/{case_id}/close",
            "POST /api/v1/gwg/cases/{case_id}/parties",
            "PATCH /api/v1/gwg/parties/{party_id}",
            "DELETE /api/v1/gwg/parties/{party_id}",
            "PUT /api/v1/gwg/parties/{party_id}/identification",
            "GET /api/v1/gwg/parties/{party_id}/identification",
            "POST /api/v1/gwg/parties/{party_id}/identification/id-copy",
            "GET /api/v1/gwg/parties/{party_id}/identification/id-copy",
            "POST /api/v1/gwg/parties/{party_id}/transparency-extract",
            "POST /api/v1/gwg/parties/{party_id}/beneficial-owners",
            "DELETE /api/v1/gwg/beneficial-owners/{owner_id}",
            "PUT /api/v1/gwg/cases/{case_id}/risk-assessment",
            "GET /api/v1/gwg/cases/{case_id}/suspicion-notes",
            "POST /api/v1/gwg/cases/{case_id}/suspicion-notes",
            "GET /api/v1/gwg/cases/{case_id}/dossier",
        )
    },
}

# World objects that are the restricted property or hang off it ...
ABOUT_PROPERTY = {
    "prop", "image", "document", "role", "link", "token", "file_key", "cloud_file", "personal_file",
    "folder", "task", "activity", "offer", "recipient", "inquiry", "instance", "appointment",
    "tour", "tour_registration", "tour_grant",
    "booking", "slot",
    "archived_mail",
}  # fmt: skip
# ... and those that do not (pages about them must still not show the property).
OTHER = {"contact", "profile"}

# Path parameters by name (the same meaning in every route) ...
PARAM = {
    "property_id": "prop",
    "image_id": "image",
    "document_id": "document",
    "link_id": "role",
    "folder_id": "folder",
    "key": "file_key",
    "task_id": "task",
    "share_id": "link",
    "offer_id": "offer",
    "recipient_id": "recipient",
    "activity_id": "activity",
    "inquiry_id": "inquiry",
    "instance_id": "instance",
    "appointment_id": "appointment",
    "tour_id": "tour",
    "grant_id": "tour_grant",
    "booking_id": "booking",
    "slot_id": "slot",
    "contact_id": "contact",
    "profile_id": "profile",
}
# ... and per route where a name means different things (`pk`, `file_id`, `token`).
ROUTE_PARAM = {
    **{
        f"contacts:{n}": {"pk": "contact"}
        for n in ("detail", "history", "update", "delete", "vcard", "file_upload")
    },
    "contacts:relationship_create": {"pk": "contact"},
    **{
        f"privacy:{n}": {"pk": "contact"}
        for n in ("contact", "data_export", "erasure_create", "block", "legal_hold", "subject_request_create")
    },
    **{
        f"properties:{n}": {"pk": "prop"}
        for n in (
            "detail",
            "history",
            "edit",
            "delete",
            "matches",
            "image_upload",
            "image_order",
            "image_edit",
            "image_delete",
            "document_upload",
            "document_delete",
            "contact_add",
            "contact_delete",
        )
    },
    "properties:profile_edit": {"pk": "profile"},
    "properties:profile_history": {"pk": "profile"},
    "properties:profile_delete": {"pk": "profile"},
    **{f"sharing:{n}": {"pk": "link"} for n in ("link_delete", "link_email", "link_preview")},
    "sharing:property_tab": {"pk": "prop"},
    "portals:property_tab": {"pk": "prop"},
    "portals:property_assign": {"pk": "prop"},
    "portals:property_transfer": {"pk": "prop"},
    "sharing:contact_tab": {"pk": "contact"},
    "sharing:agent_file": {"pk": "@source"},  # the file of the kind <source> names
    "sharing:cloud_file_delete": {"file_id": "cloud_file"},
    "sharing:personal_delete": {"file_id": "personal_file"},
    **{
        f"sharing:{n}": {"token": "token"}
        for n in ("public", "public_consent", "public_zip", "public_download")
    },
    **{f"exposes:{n}": {"pk": "prop"} for n in ("property", "preview", "pdf")},
    "exposes:offer": {"pk": "offer"},
    "exposes:offer_retry": {"pk": "offer"},
    "exposes:offer_recipient_resolve": {"pk": "offer"},
    "core:activity_edit": {"pk": "activity"},
    "core:activity_delete": {"pk": "activity"},
    "core:property_activities": {"pk": "prop"},
    "inquiries:detail": {"pk": "inquiry"},
    "inquiries:retry": {"pk": "inquiry"},
    "inquiries:process_cancel": {"pk": "instance"},
    "mailsync:mail": {"pk": "archived_mail"},
    **{f"appointments:{n}": {"pk": "appointment"} for n in ("detail", "edit", "move", "status", "invite")},
    **{f"appointments:{n}": {"pk": "prop"} for n in ("property_tab", "series_create")},
    **{f"tours:{n}": {"pk": "prop"} for n in ("property_tab", "create")},
    **{f"tours:{n}": {"pk": "tour"} for n in ("publish", "delete", "stats", "pdf")},
    "tours:registration_grant": {"pk": "tour_registration"},
    "tours:grant_revoke": {"pk": "tour_grant"},
    "tours:contact_grant": {"pk": "contact"},
    "tours:inquiry_grant": {"pk": "inquiry"},
    "appointments:request_answer": {"pk": "booking"},
}
# Literal parameters: each value is its own case.
LITERALS: dict[str, dict[str, Any]] = {
    "source": {"cloud": "cloud_file", "personal": "personal_file"},
    "size": {"thumb": None, "full": None},
}


class CannotFill(Exception):
    pass


def _html_routes() -> list[tuple[str, str, list[str]]]:
    out: list[tuple[str, str, list[str]]] = []

    def walk(resolver: URLResolver, namespace: str, prefix: str, converters: list[str]) -> None:
        for p in resolver.url_patterns:
            here = converters + list(getattr(p.pattern, "converters", {}))
            if isinstance(p, URLResolver):
                inner = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
                walk(p, inner, prefix + str(p.pattern), here)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}".strip(":")
                if name.startswith("api:"):
                    continue  # the API is walked operation by operation from its OpenAPI schema
                out.append((name, prefix + str(p.pattern), here))

    walk(get_resolver(), "", "", [])
    return out


HTML_ROUTES = _html_routes()


@dataclass
class Case:
    """One request: the path with the property's rows, and the same with ids that do not exist."""

    path: str
    missing_path: str
    about_property: bool


def _html_cases(name: str, pattern: str, params: list[str]) -> list[tuple[dict[str, Any], bool]]:
    """[(parameter → (world attribute or literal)), ...]; raises CannotFill."""
    choices: list[dict[str, Any]] = [{}]
    for param in params:
        if param in LITERALS:
            choices = [
                {**c, param: ("literal", v, attr)} for c in choices for v, attr in LITERALS[param].items()
            ]
            continue
        attr = ROUTE_PARAM.get(name, {}).get(param) or (
            PARAM.get(param) if param not in {"pk", "file_id", "token"} else None
        )
        if attr is None:
            raise CannotFill(f"{name} ({pattern}): no value for <{param}>")
        if attr == "@source":
            choices = [{**c, param: ("world", c["source"][2])} for c in choices]
        else:
            choices = [{**c, param: ("world", attr)} for c in choices]
    out = []
    for c in choices:
        attrs = {v[1] if v[0] == "world" else v[2] for v in c.values()} - {None}
        out.append((c, bool(attrs & ABOUT_PROPERTY)))
    return out


def _value(world: World, spec: tuple[Any, ...], missing: bool) -> str:
    if spec[0] == "literal":
        return str(spec[1])
    attr = spec[1]
    if attr == "token":
        return MISSING_TOKEN if missing else world.token
    if attr == "file_key":
        return MISSING_KEY if missing else world.file_key
    obj = world.prop if attr == "prop" else world.contact if attr == "contact" else getattr(world, attr)
    return str(MISSING_ID if missing and attr in ABOUT_PROPERTY else obj.pk)


def _path(pattern: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], pattern)


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _html_form(world: World, missing: bool) -> dict[str, Any]:
    """What a form might send about the property: every spelling of its id, and a contact."""
    pid = MISSING_ID if missing else world.prop.pk
    return {
        "property_id": pid,
        "property": pid,
        "properties": pid,
        "property_ids": pid,
        "contact_id": world.contact.pk,
        "contact": world.contact.pk,
        "contacts": world.contact.pk,
        "template": world.letter_template.pk,
        "title": "Walker",
        "name": "Walker",
        "active": "1",
        "accept_notice": "1",
        "accept_terms": "1",
        "image_ids": str(world.image.pk) if not missing else str(MISSING_ID),
        "order": str(world.image.pk) if not missing else str(MISSING_ID),
        "files": SimpleUploadedFile("walker.pdf", b"%PDF walker"),
    }


PERSONAS = ["colleague", "reader"]


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """One world for the whole walk (built once, rolled back at the end); each test runs in its own
    savepoint, so what one request changes is gone for the next."""
    from django.db import transaction
    from django.test import override_settings

    media = tmp_path_factory.mktemp("walk_media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(), media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(shared_world: Any, settings: Any, db: None) -> World:
    w, media = shared_world
    settings.MEDIA_ROOT = media  # the world's files, not the empty folder every test gets
    return w


# Rows the office's own machinery adds for a property when something else changes, which the
# requesting colleague never sees: new matches are for the property's responsible agent (a new
# search profile matching it), and the inquiry manager files a website inquiry under the property
# it names (the prospect's request; shown only to those who may see the property).
SIDE_EFFECTS = {"matching.NewMatch.property", "inquiries.Inquiry.property", "core.Activity.property"}
# The website's inquiry form: the prospect names the property by its reference. Filing it is the
# inquiry manager's job; the answer must still show nothing of the property.
INTAKE = {"POST /api/v1/inquiries"}
# Searches answer with the query they were sent (the walker searches for the property's Kennung).
ECHOES = {"GET /api/v1/search"}


def _check_unchanged(
    world: World, before: dict[str, Any], about_property: bool, label: str, intake: bool = False
) -> None:
    after = property_rows(world)
    if about_property and not intake:
        assert after == before, f"{label} changed the restricted property's data"
        return
    for key, rows in after.items():
        if key in SIDE_EFFECTS and (intake or key == "matching.NewMatch.property"):
            continue
        if key == "property":
            assert rows == before[key], f"{label} changed the restricted property"
        else:
            assert set(map(str, rows)) <= set(map(str, before[key])), f"{label} added {key} to it"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "pattern", "params"), HTML_ROUTES, ids=[r[0] for r in HTML_ROUTES])
def test_every_url_pattern_keeps_the_restricted_property_hidden(
    name: str, pattern: str, params: list[str], persona: str, world: World
) -> None:
    if name in NOT_ABOUT_PROPERTIES:
        assert params, f"{name} takes no parameter: walk it instead of listing it"
        return
    try:
        variants = _html_cases(name, pattern, params)
    except CannotFill as exc:
        pytest.fail(
            f"The walker cannot fill {exc}; teach it (PARAM/ROUTE_PARAM) or list it in NOT_ABOUT_PROPERTIES"
        )
    client = Client()
    client.force_login(getattr(world, persona))
    for spec, about_property in variants:
        path = _path(pattern, {k: _value(world, v, False) for k, v in spec.items()})
        missing_path = _path(pattern, {k: _value(world, v, True) for k, v in spec.items()})
        for method in ("get", "post"):
            before = property_rows(world)
            label = f"{method.upper()} {path} as {persona}"
            if about_property:
                answer = getattr(client, method)(path, _html_form(world, False) if method == "post" else None)
                control = getattr(client, method)(
                    missing_path, _html_form(world, True) if method == "post" else None
                )
                assert answer.status_code == control.status_code, (
                    f"{label}: {answer.status_code}, but {control.status_code} for a record that is not there"
                )
                assert answer.status_code in {403, 404, 405}, f"{label}: {answer.status_code}"
                if persona == "colleague" and method == "get" and control.status_code != 405:
                    assert answer.status_code == 404, label
            elif method == "get":
                answer = client.get(path, {"property_id": world.prop.pk, "property": world.prop.pk})
            else:
                answer = client.post(path, _html_form(world, False))
            assert answer.status_code < 500, f"{label}: {answer.status_code}"
            assert MARK not in _body(answer), f"{label} shows the restricted property"
            _check_unchanged(world, before, about_property, label)


# --- the API, operation by operation from its OpenAPI document --------------------------------------


def _schema() -> dict[str, Any]:
    from maklerwerk.api.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")


SCHEMA = _schema()
API_OPERATIONS = [
    (method.upper(), path, op) for path, ops in SCHEMA["paths"].items() for method, op in ops.items()
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema["anyOf"][0])
        return _resolve(schema)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def _by_type(schema: dict[str, Any], world: World) -> Any:
    schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format", "")
    if kind == "string":
        if fmt == "date-time":
            return world.expires.isoformat()
        if fmt == "date":
            return world.expires.date().isoformat()
        if fmt == "time":
            return "10:00:00"
        if fmt == "email":
            return "walker@example.org"
        if fmt == "binary":
            return png()
        return "Walker"
    if kind in {"integer", "number"}:
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    return {}


def _value_for(name: str, schema: dict[str, Any], world: World, missing: bool) -> tuple[Any, bool] | None:
    """(value, about the property) for a field or parameter this walker knows by name."""
    pid = MISSING_ID if missing else world.prop.pk
    many = _resolve(schema).get("type") == "array"
    if name in {"property_id", "property"}:
        return ([pid] if many else pid), True
    if name in {"properties", "property_ids"}:
        return [pid], True
    if name in {"property_external_id", "q"}:  # q: the header search, by the property's Kennung
        return ("G-gibt-es-nicht" if missing else world.prop.external_id), True
    if name in {"contact_id", "contact"}:
        return world.contact.pk, False
    if name == "contacts":
        return [world.contact.pk], False
    if name == "template":
        return world.mail_template.pk, False
    return None


def _api_request(method: str, path: str, op: dict[str, Any], world: World, missing: bool) -> tuple[Any, bool]:
    """(path, query, body, content type), about the property; raises CannotFill."""
    about = False
    values: dict[str, str] = {}
    query: dict[str, Any] = {}
    for p in op.get("parameters", []):
        name, where = p["name"], p["in"]
        if where == "path":
            attr = PARAM.get(name)
            if attr is None:
                raise CannotFill(f"{method} {path}: no value for path parameter {name}")
            values[name] = _value(world, ("world", attr), missing)
            about |= attr in ABOUT_PROPERTY
        elif where == "query":  # filters by the property; other optional filters stay unset
            known = _value_for(name, p.get("schema", {}), world, missing)
            if known is not None and (name.startswith("property") or name == "q"):
                query[name], about = known[0], True
            elif p.get("required"):
                raise CannotFill(f"{method} {path}: no value for required query parameter {name}")
    body: Any = None
    content_type = None
    content = op.get("requestBody", {}).get("content", {})
    for ctype, spec in content.items():
        schema = _resolve(spec["schema"])
        fields: dict[str, Any] = {}
        for name, field_schema in schema.get("properties", {}).items():
            known = _value_for(name, field_schema, world, missing)
            if known is not None:
                fields[name], about_field = known
                about |= about_field
            elif name in schema.get("required", []):
                fields[name] = _by_type(field_schema, world)
        if ctype == "multipart/form-data":
            body, content_type = (
                {k: (v[0] if isinstance(v, list) and v else v) for k, v in fields.items()},
                None,
            )
            for name, field_schema in schema.get("properties", {}).items():
                if _resolve(field_schema).get("type") == "array" and name in {"files"}:
                    body[name] = [png()]
        else:
            body, content_type = fields, "application/json"
        break
    full = "/" + path.lstrip("/")
    for name, value in values.items():
        full = full.replace("{" + name + "}", value)
    return (full, query, body, content_type), about


def _call(client: Any, method: str, request: tuple[Any, ...]) -> Any:
    path, query, body, content_type = request
    if query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query, doseq=True)}"
    if content_type == "application/json":
        return client._call(method.lower(), path, body)
    if body is not None:
        return client.client.generic(method, path, **_multipart(body), headers=client.headers)
    return client._call(method.lower(), path, None)


def _multipart(body: dict[str, Any]) -> dict[str, Any]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, body), "content_type": MULTIPART_CONTENT}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "path", "op"), API_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in API_OPERATIONS]
)
def test_every_api_operation_keeps_the_restricted_property_hidden(
    method: str, path: str, op: dict[str, Any], persona: str, world: World
) -> None:
    key = f"{method} {path}"
    if key in NOT_ABOUT_PROPERTIES:
        assert "{" in path, f"{key} takes no path parameter: walk it instead of listing it"
        return
    try:
        request, about_property = _api_request(method, path, op, world, missing=False)
        control_request, _ = _api_request(method, path, op, world, missing=True)
    except CannotFill as exc:
        pytest.fail(f"The walker cannot fill {exc}; teach it or list it in NOT_ABOUT_PROPERTIES")
    client = api_client_for(getattr(world, persona))
    before = property_rows(world)
    answer = _call(client, method, request)
    label = f"{key} as {persona}"
    body = _body(answer)
    assert answer.status_code < 500, f"{label}: {answer.status_code} {body[:300]}"
    if key in INTAKE:  # the answer may repeat the reference the caller sent, nothing else of it
        assert world.prop.title not in body and f'"property_id": {world.prop.pk}' not in body, label
    elif key in ECHOES:  # repeats the query; otherwise the same answer as for a Kennung nobody has
        control = json.loads(_body(_call(client, method, control_request)))
        found = json.loads(body)
        assert found["hits"] == control["hits"] == [], f"{label}: {body[:300]}"
    else:
        assert MARK not in body, f"{label} shows the restricted property: {body[:300]}"
        # Also not by its id alone (the world has no other property): e.g. a process or a task.
        named = re.search(rf'"property_id": {world.prop.pk}\b', body)
        assert not named, f"{label} names the property: {body[:300]}"
    _check_unchanged(world, before, about_property, label, intake=key in INTAKE)
    if not about_property or key in INTAKE:
        return
    assert answer.status_code != 422, f"{label}: the walker sent a body the API refused: {body[:500]}"
    control = _call(client, method, control_request)
    if answer.status_code == 200 and method == "GET":
        # A list filtered by the property: exactly what a filter by an unknown id gives (empty).
        assert control.status_code == 200, f"{label}: 200, but {control.status_code} for an unknown id"
        echo = {"query": None} if key in ECHOES else {}
        assert {**answer.json(), **echo} == {**control.json(), **echo}, f"{label}: {answer.json()}"
        assert answer.json().get("count", 0) == 0 and not answer.json().get("items"), label
        return
    assert answer.status_code == control.status_code, (
        f"{label}: {answer.status_code}, but {control.status_code} for no record: {body[:300]}"
    )
    assert answer.status_code in {400, 403, 404}, f"{label}: {answer.status_code}"
    assert json.loads(body)["detail"] == json.loads(_body(control))["detail"], label
    if persona == "colleague" and method == "GET":
        assert answer.status_code == 404, label
