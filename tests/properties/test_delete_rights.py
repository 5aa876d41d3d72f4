"""Deleting needs the delete right in every entry path: the service checks it, not only the view."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.contacts.models import ContactFile, Relationship
from maklerwerk.contacts.services import contact_file_add, relationship_create
from maklerwerk.properties.models import PropertyContact, PropertyDocument, PropertyImage
from maklerwerk.properties.services import property_contact_set, property_document_add, property_images_add
from tests.conftest import api_client_for, assert_problem
from tests.properties.conftest import png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(office: Any, agent: Any, contact: Any, make_property: Any) -> dict[str, Any]:
    from maklerwerk.contacts.models import Contact

    prop = make_property()
    partner = Contact.objects.create(office=office, first_name="Max", last_name="Mustermann")
    return {
        "contact": contact,
        "prop": prop,
        "file": contact_file_add(
            contact=contact, acting_user=agent, upload=SimpleUploadedFile("Vertrag.pdf", b"%PDF vertrag")
        ),
        "relationship": relationship_create(contact=contact, other=partner, kind="spouse", acting_user=agent),
        "image": property_images_add(prop=prop, acting_user=agent, files=[png_upload()])[0],
        "document": property_document_add(
            prop=prop, acting_user=agent, file=SimpleUploadedFile("Grundriss.pdf", b"%PDF plan"), kind="other"
        ),
        "link": property_contact_set(prop=prop, contact=contact, acting_user=agent, role="owner"),
    }


# (what, model, HTML URL, API path) for each record hanging off a contact or a property.
CASES = [
    (
        "file",
        ContactFile,
        "/contacts/{contact}/files/{file}/delete/",
        "/api/v1/contacts/{contact}/files/{file}",
    ),
    (
        "relationship",
        Relationship,
        "/contacts/{contact}/relationships/{relationship}/delete/",
        "/api/v1/contacts/{contact}/relationships/{relationship}",
    ),
    (
        "image",
        PropertyImage,
        "/properties/{prop}/images/{image}/delete/",
        "/api/v1/properties/{prop}/images/{image}",
    ),
    (
        "document",
        PropertyDocument,
        "/properties/{prop}/documents/{document}/delete/",
        "/api/v1/properties/{prop}/documents/{document}",
    ),
    (
        "link",
        PropertyContact,
        "/properties/{prop}/contacts/{link}/delete/",
        "/api/v1/properties/{prop}/contacts/{link}",
    ),
]


def _fill(template: str, records: dict[str, Any]) -> str:
    return template.format(**{key: obj.pk for key, obj in records.items()})


@pytest.mark.parametrize(("what", "model", "html", "api_path"), CASES, ids=[c[0] for c in CASES])
def test_back_office_cannot_delete_in_the_browser(
    records: dict[str, Any], backoffice_user: Any, what: str, model: Any, html: str, api_path: str
) -> None:
    client = Client()
    client.force_login(backoffice_user)
    response = client.post(_fill(html, records))
    assert response.status_code == 403
    assert model.objects.filter(pk=records[what].pk).exists()


@pytest.mark.parametrize(("what", "model", "html", "api_path"), CASES, ids=[c[0] for c in CASES])
def test_back_office_cannot_delete_through_the_api(
    records: dict[str, Any], backoffice_user: Any, what: str, model: Any, html: str, api_path: str
) -> None:
    body = assert_problem(api_client_for(backoffice_user).delete(_fill(api_path, records)), 403)
    assert "Ihre Rolle" in body["detail"] or "role" in body["detail"]
    assert model.objects.filter(pk=records[what].pk).exists()


@pytest.mark.parametrize(("what", "model", "html", "api_path"), CASES, ids=[c[0] for c in CASES])
def test_agents_may_delete_in_both_ways(
    records: dict[str, Any], agent: Any, what: str, model: Any, html: str, api_path: str
) -> None:
    assert api_client_for(agent).delete(_fill(api_path, records)).status_code == 204
    assert not model.objects.filter(pk=records[what].pk).exists()


@pytest.mark.parametrize("user", ["backoffice_user", "agent"])
def test_only_users_who_may_delete_see_the_delete_buttons(
    records: dict[str, Any], user: str, request: pytest.FixtureRequest
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(user))
    pages = (
        client.get(f"/contacts/{records['contact'].pk}/").content.decode()
        + client.get(f"/properties/{records['prop'].pk}/").content.decode()
    )
    assert "Vertrag.pdf" in pages and "Grundriss" in pages
    shown = [what for what, _, html, _ in CASES if _fill(html, records) in pages]
    assert shown == ([] if user == "backoffice_user" else [c[0] for c in CASES])
