"""The tour PDF: the open link with its QR code, attachable to offers; for a tour that needs
registration it carries the recipient's personal link, so sending it with the exposé grants access."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from maklerwerk.exposes import services as offers
from maklerwerk.tours import pdf
from maklerwerk.tours.models import Grant
from maklerwerk.tours.services import tour_publish
from tests.conftest import mail_template
from tests.mailing.conftest import make_contact
from tests.tours.conftest import link_tour

pytestmark = pytest.mark.django_db

OPEN = "https://my.matterport.com/show/?m=SxQL3iGyoDo"


def pdf_text(content: bytes, tmp_path: Any) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())  # lines wrapped as on the page: one line of words


def test_an_offer_with_the_tour_pdf_grants_the_recipient_access(
    smtp_sink: Any, agent: Any, prop: Any, client: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tour, _secret = link_tour(prop, agent)  # rooms behind registration
    tour_publish(tour=tour, published=True, acting_user=agent)
    anna = make_contact(agent.office, email="anna@example.org", first_name="Anna", last_name="Schäfer")
    offer = offers.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=[anna],
        properties=[prop],
        mail_template=mail_template(agent, "expose"),
        extras=["tour_pdf"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        offers.offer_send_start(offer=offer, acting_user=agent)

    [envelope] = smtp_sink.messages
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert names == ["Exposé mw-0360.pdf", "Rundgang mw-0360.pdf"]
    tour_pdf = next(
        p for p in msg.iter_attachments() if (p.get_filename() or "").startswith("Rundgang")
    ).get_content()
    text = pdf_text(tour_pdf, tmp_path)
    assert "Virtueller Rundgang (360°)" in text and OPEN in text.replace(" ", "")
    assert "Ihr persönlicher Zugang zum ganzen Rundgang" in text
    # The link as the PDF's link annotation (`pdfinfo -url`): pdftotext drops a "-" of the token
    # where a line ends, so the printed text is compared without hyphens.
    (tmp_path / "tour.pdf").write_bytes(tour_pdf)
    urls = subprocess.run(
        ["pdfinfo", "-url", str(tmp_path / "tour.pdf")], check=True, capture_output=True, text=True
    ).stdout
    personal = re.search(r"(https?://[a-z0-9.:-]+/tours/p/[A-Za-z0-9_-]+/)", urls)
    assert personal is not None
    [grant] = Grant.objects.filter(contact=anna, tour=tour)
    assert grant.active

    assert personal.group(1).replace("-", "") in text.replace(" ", "").replace("-", "")
    page = client.get(urlsplit(personal.group(1)).path).content.decode()
    assert "Bad" in page  # the room behind registration is open to her


def test_the_same_mail_built_again_grants_nothing_twice(agent: Any, prop: Any, tmp_path: Any) -> None:
    from maklerwerk.exposes.extras import OfferExtraFor

    tour, _secret = link_tour(prop, agent)
    tour_publish(tour=tour, published=True, acting_user=agent)
    anna = make_contact(agent.office, email="anna@example.org", first_name="Anna", last_name="Schäfer")
    what = OfferExtraFor(prop=prop, contact=anna, acting_user=agent, ref="offer-recipient:7")
    first, again = pdf.offer_attachment(what), pdf.offer_attachment(what)
    assert first is not None and again is not None
    link = re.findall(r"/tours/p/[A-Za-z0-9_-]+/", pdf_text(first.content, tmp_path).replace(" ", ""))
    assert link and link == re.findall(
        r"/tours/p/[A-Za-z0-9_-]+/", pdf_text(again.content, tmp_path).replace(" ", "")
    )
    assert Grant.objects.filter(contact=anna).count() == 1


def test_the_agent_downloads_the_tour_pdf_and_the_offer_form_offers_it(
    agent_client: Any, agent: Any, prop: Any, tmp_path: Any
) -> None:
    tour, _secret = link_tour(prop, agent, requires_registration=False, rooms=())
    form = agent_client.get(reverse("exposes:offer_new"), {"property": prop.pk}).content.decode()
    assert "Virtueller Rundgang (PDF" not in form  # nothing published yet
    tour_publish(tour=tour, published=True, acting_user=agent)
    form = agent_client.get(reverse("exposes:offer_new"), {"property": prop.pk}).content.decode()
    assert 'name="extras" value="tour_pdf"' in form and "Virtueller Rundgang (PDF" in form

    response = agent_client.get(reverse("tours:pdf", args=[tour.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert OPEN in text.replace(" ", "") and "persönlicher Zugang" not in text
    assert not Grant.objects.exists()


def test_an_unknown_offer_attachment_is_refused_in_german(agent: Any, prop: Any) -> None:
    from maklerwerk.core.exceptions import ApplicationError

    anna = make_contact(agent.office, email="anna@example.org", last_name="Schäfer")
    with pytest.raises(ApplicationError, match="Unbekannter Anhang: raumplan"):
        offers.offer_create(
            office=agent.office,
            acting_user=agent,
            contacts=[anna],
            properties=[prop],
            mail_template=mail_template(agent, "expose"),
            extras=["raumplan"],
        )
