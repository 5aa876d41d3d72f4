"""Property-based test of the whole API: every operation in /api/v1/openapi.json, fed with
schemathesis' generated requests, never answers 5xx, and every documented answer matches its
schema. Requests come from three phases: the schema's examples, the coverage phase (boundary and
invalid values of every parameter, deterministic) and fuzzing (hypothesis). All of them are sent
as an admin of an office with data; examples and fuzzing also as a read-only user.

Runs in-process through Django's WSGI handler, in the test's transaction (no live server), with
a fixed seed and a bounded, derandomised number of examples so CI is reproducible and fast.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from maklerwerk.api.api import api as ninja_api
from tests.properties.conftest import property_data

# Fixed seed; no requests with methods an operation does not have (Django answers 405 for them).
CONFIG = SchemathesisConfig.from_dict({"seed": 20261204, "phases": {"coverage": {"unexpected-methods": []}}})
schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG)
schema.app = get_wsgi_application()

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def seeded(office: Any, admin_user: Any, readonly_user: Any) -> dict[str, Any]:
    """A small office: a contact with a search profile, a property, a task, an activity, a template."""
    from maklerwerk.accounts.services import api_token_create
    from maklerwerk.contacts.services import contact_create
    from maklerwerk.core.services import activity_create
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.matching.services import search_profile_create
    from maklerwerk.properties.services import property_create
    from maklerwerk.tasks.services import task_create

    contact = contact_create(
        office=office,
        acting_user=admin_user,
        data={
            "first_name": "Erika",
            "last_name": "Mustermann",
            "city": "Köln",
            "emails": [{"value": "erika@example.de", "kind": "private"}],
            "phones": [{"value": "0221 1234567", "kind": "mobile"}],
            "tags": ["VIP"],
        },
    )
    prop = property_create(
        office=office,
        acting_user=admin_user,
        data=property_data(city="Köln", postal_code="50667"),
    )
    profile = search_profile_create(
        contact=contact, acting_user=admin_user, data={"marketing_type": "kauf", "cities": ["Köln"]}
    )
    task = task_create(office=office, title="Rückruf", assignee=admin_user, contact_id=contact.pk)
    activity = activity_create(
        office=office, type="note", subject="Telefonat", acting_user=admin_user, contact_id=contact.pk
    )
    template = MailTemplate.objects.filter(office=office).first()
    ids = {
        "contact_id": contact.pk,
        "property_id": prop.pk,
        "profile_id": profile.pk,
        "task_id": task.pk,
        "activity_id": activity.pk,
    }
    if template is not None:
        ids["template_id"] = template.pk
    return {
        "ids": ids,
        "admin": api_token_create(user=admin_user, name="schemathesis")[1],
        "readonly": api_token_create(user=readonly_user, name="schemathesis")[1],
    }


@pytest.fixture
def in_process() -> Any:
    # Like Django's test client: requests must not close the test's connection (it holds the
    # transaction with the seeded data).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _aim_at_seeded_records(case: Any, ids: dict[str, int]) -> None:
    """Half of the generated path ids point at the seeded records, so more than 404s get tested."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in ids and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = ids[name]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_off_schema(case: Any, seeded: dict[str, Any], in_process: None) -> None:
    _aim_at_seeded_records(case, seeded["ids"])
    # The coverage phase sends hundreds of invalid variants per operation: as the admin only.
    roles = ("admin",) if case.meta.phase.name == "coverage" else ("admin", "readonly")
    for role in roles:
        case.call_and_validate(headers={"Authorization": f"Bearer {seeded[role]}"}, checks=CHECKS)
