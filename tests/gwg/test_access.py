"""Only the GwG permission opens the GwG file: every page, every file, every API operation answers
403 to a read-only user and to an agent (whose role lacks it), and shows nothing of the file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maklerwerk.gwg import selectors, services
from tests.conftest import api_client_for
from tests.gwg.conftest import ID_NUMBER, SUSPICION, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db


def _gwg_routes() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    gwg = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "gwg")
    return [
        (str(p.name), list(getattr(p.pattern, "converters", {})))
        for p in gwg.url_patterns
        if isinstance(p, URLPattern)
    ]


def _args(name: str, params: list[str], case: Any) -> list[int]:
    party = case.parties.get(person_kind="natural", role="buyer")
    if not params:
        return []
    if name.startswith("owner_"):
        return [case.parties.get(person_kind="legal").beneficial_owners.get().pk]
    if name in ("identification", "id_copy", "extract", "party_delete", "owner_create"):
        return [party.pk]
    return [case.pk]


@pytest.mark.parametrize("persona", ["readonly_user", "agent", "backoffice_user"])
def test_every_gwg_page_and_file_is_403_without_the_permission(persona: str, case: Any, request: Any) -> None:
    client = client_for(request.getfixturevalue(persona))
    routes = _gwg_routes()
    assert len(routes) >= 16
    for name, params in routes:
        url = reverse(f"gwg:{name}", args=_args(name, params, case))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (method, url, response.status_code)
            body = response.content.decode()
            assert ID_NUMBER not in body and SUSPICION not in body and "Käufer" not in body


def _api_operations(client: Any) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/gwg")
        for method in ops
    ]


@pytest.mark.parametrize("persona", ["readonly_user", "agent"])
def test_every_gwg_api_operation_is_403_without_the_permission(persona: str, case: Any, request: Any) -> None:
    api = api_client_for(request.getfixturevalue(persona))
    party = case.parties.get(person_kind="natural", role="buyer")
    owner = case.parties.get(person_kind="legal").beneficial_owners.get()
    ops = _api_operations(api)
    assert len(ops) >= 20
    ids = {"case_id": case.pk, "party_id": party.pk, "owner_id": owner.pk}
    for method, path in ops:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        response = api._call(method.lower(), url, {} if method in ("POST", "PUT", "PATCH") else None)
        assert response.status_code == 403, (method, url, response.status_code, response.content[:200])
        assert ID_NUMBER.encode() not in response.content


def test_the_services_refuse_too_so_no_path_can_skip_the_check(
    case: Any, agent: Any, readonly_user: Any
) -> None:
    ident = case.parties.get(person_kind="natural", role="buyer").identification
    for user in (agent, readonly_user):
        with pytest.raises(PermissionDenied):
            services.id_copy_open(ident=ident, acting_user=user)
        with pytest.raises(PermissionDenied):
            selectors.cases(user=user)
        with pytest.raises(PermissionDenied):
            services.id_copy_store(ident=ident, acting_user=user, data=jpeg_bytes("blue"), filename="x.jpg")
        with pytest.raises(PermissionDenied):
            services.suspicion_note_add(case=case, acting_user=user, facts="x", decision="open")


def test_badge_and_menu_only_for_the_permission(
    case: Any, agent: Any, admin_client: Any, buyer: Any, villa: Any
) -> None:
    agent_client = client_for(agent)
    for url in (reverse("contacts:detail", args=[buyer.pk]), reverse("properties:detail", args=[villa.pk])):
        page = agent_client.get(url).content.decode()
        assert "data-gwg-badge" not in page and "GwG" not in page
    property_page = admin_client.get(reverse("properties:detail", args=[villa.pk])).content.decode()
    assert "GwG: Käufer identifiziert ✗, Verkäufer identifiziert ✗" in property_page
    contact_page = admin_client.get(reverse("contacts:detail", args=[buyer.pk])).content.decode()
    assert "GwG: Käufer ✓" in contact_page
    assert "GwG-Akte" in contact_page  # the user menu


def test_another_offices_case_is_not_found(case: Any, outsider: Any) -> None:
    response = client_for(outsider).get(reverse("gwg:case", args=[case.pk]))
    assert response.status_code == 404
    assert api_client_for(outsider).get(f"/api/v1/gwg/cases/{case.pk}").status_code == 404
