"""Fixtures for document sharing: a prospect, a property with protected documents, a share link."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile


@pytest.fixture
def prospect(office: Any) -> Any:
    from maklerwerk.contacts.models import Contact, ContactEmail

    contact = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    ContactEmail.objects.create(contact=contact, office=office, value="erika@example.org")
    return contact


@pytest.fixture
def other_prospect(office: Any) -> Any:
    from maklerwerk.contacts.models import Contact

    return Contact.objects.create(office=office, first_name="Otto", last_name="Normal")


@pytest.fixture
def prop(office: Any) -> Any:
    from maklerwerk.properties.models import Property

    return Property.objects.create(office=office, external_id="W-001", title="Altbauwohnung Nordend")


@pytest.fixture
def foreign_prop(other_office: Any) -> Any:
    from maklerwerk.properties.models import Property

    return Property.objects.create(office=other_office, external_id="F-1", title="Fremdobjekt")


@pytest.fixture
def foreign_contact(other_office: Any) -> Any:
    from maklerwerk.contacts.models import Contact

    return Contact.objects.create(office=other_office, first_name="Fritz", last_name="Fremd")


def add_document(prop: Any, title: str, content: bytes, *, protected: bool = True, name: str = "") -> Any:
    from maklerwerk.properties.models import PropertyDocument

    doc = PropertyDocument(property=prop, title=title, protected=protected, size=len(content))
    doc.file.save(name or f"{title}.pdf", ContentFile(content), save=False)
    doc.save()
    return doc


@pytest.fixture
def documents(prop: Any) -> list[Any]:
    return [
        add_document(prop, "Grundbuchauszug", b"%PDF-1.4 grundbuch" * 10),
        add_document(prop, "Energieausweis", b"%PDF-1.4 energie" * 200),
        add_document(prop, "Exposé intern", b"geheim", protected=False),
    ]


@pytest.fixture
def office_texts(office: Any) -> Any:
    office.cancellation_notice_text = "Sie haben das Recht, binnen vierzehn Tagen zu widerrufen."
    office.terms_text = "Es gelten unsere AGB."
    office.save()
    return office


@pytest.fixture
def link(office: Any, prospect: Any, prop: Any, agent: Any) -> Any:
    from maklerwerk.sharing.services import share_link_create

    return share_link_create(office=office, contact=prospect, property=prop, acting_user=agent)


def token_of(link: Any) -> str:
    from maklerwerk.sharing.services import share_link_token

    return share_link_token(link)


def public_path(link: Any) -> str:
    return f"/sharing/d/{token_of(link)}/"
