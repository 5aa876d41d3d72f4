"""The exposé and the property's unprotected PDF documents go to ImmobilienScout24 as attachments
(common:PDFDocument), after the pictures, replaced when they change and deleted when removed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment
from maklerwerk.properties.models import PropertyDocument
from tests.portals.conftest import is24_portal_data

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_pdf(prop: Any, title: str, *, protected: bool, content: bytes = PDF) -> PropertyDocument:
    doc = PropertyDocument(property=prop, title=title, protected=protected, size=len(content))
    doc.file.save(f"{title}.pdf", ContentFile(content), save=False)
    doc.save()
    return doc


def attachments(is24: dict[str, Any]) -> list[dict[str, Any]]:
    record = is24["app"].by_external_id(is24["user"], "MW-0001")
    return [record["attachments"][i]["metadata"] for i in is24["app"].order(record)]


def test_expose_and_public_documents_follow_the_pictures(office, admin_user, agent, listing, is24):
    energy = add_pdf(listing, "Energieausweis", protected=False)
    add_pdf(listing, "Grundbuchauszug", protected=True)  # only through personal links
    portal = services.portal_create(
        office=office, acting_user=admin_user, data={**is24_portal_data(is24), "send_pdfs": True}
    )
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "online", assignment.last_error

    sent = attachments(is24)
    assert [a["@xsi.type"] for a in sent] == [
        "common:Picture", "common:Picture", "common:PDFDocument", "common:PDFDocument"
    ]  # fmt: skip
    assert sent[0]["titlePicture"] == "true"
    assert [a["title"] for a in sent[2:]] == ["Exposé", "Energieausweis"]

    # The document changes, then is marked protected: replaced, then deleted; the exposé stays.
    energy.file.save("Energieausweis.pdf", ContentFile(PDF + b"% neu\n"), save=True)
    listing.save()
    services.transfer_start(portal=portal, full=True, acting_user=agent)
    titles = [a["title"] for a in attachments(is24)]
    assert titles.count("Energieausweis") == 1 and titles.count("Exposé") == 1
    energy.protected = True
    energy.save()
    services.transfer_start(portal=portal, full=True, acting_user=agent)
    assert [a["title"] for a in attachments(is24)][2:] == ["Exposé"]
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""


def test_without_the_setting_no_pdf_is_sent(office, admin_user, agent, listing, is24):
    add_pdf(listing, "Energieausweis", protected=False)
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    assert {a["@xsi.type"] for a in attachments(is24)} == {"common:Picture"}
