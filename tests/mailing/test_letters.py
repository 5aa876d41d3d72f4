"""Letters: a letter template rendered for a contact (and property) as a DIN 5008 PDF, logged on
the contact; the PDF's text is read back with pdftotext (poppler)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maklerwerk.core.models import Activity
from maklerwerk.mailing import services
from maklerwerk.mailing.letters import address_lines
from maklerwerk.mailing.models import MailTemplate
from maklerwerk.properties.models import PropertyContact

pytestmark = pytest.mark.django_db

BODY = """{{ kontakt.briefanrede }},

vielen Dank für Ihr Interesse an {{ objekt.titel }} ({{ objekt.kennung }}) zum Preis von {{ objekt.preis }}.

Mit freundlichen Grüßen
{{ makler.name }}"""


SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text in layout order; its first page also goes to var/screenshots for looking at."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "letter.pdf"
        path.write_bytes(pdf)
        SHOTS.mkdir(parents=True, exist_ok=True)
        picture = ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(SHOTS / "letter")]
        subprocess.run(picture, check=True)
        command = ["pdftotext", "-layout", str(path), "-"]
        done = subprocess.run(command, capture_output=True, check=True, text=True)
        return done.stdout


@pytest.fixture
def letter_template(agent: Any) -> MailTemplate:
    return services.template_create(
        office=agent.office, acting_user=agent, name="Interesse bestätigen", kind="letter",
        subject="Ihr Interesse an {{ objekt.kennung }}", body=BODY,
    )  # fmt: skip


@pytest.fixture
def addressed(contact: Any, prop: Any) -> Any:
    contact.street, contact.house_number = "Domstraße", "5a"
    contact.postal_code, contact.city = "50668", "Köln"
    contact.save()
    PropertyContact.objects.create(office=contact.office, property=prop, contact=contact, role="prospect")
    return contact


def test_a_letter_is_a_din_5008_pdf_with_the_fields_filled_and_is_logged(
    agent_client: Client, agent: Any, addressed: Any, prop: Any, letter_template: MailTemplate
) -> None:
    url = reverse("mailing:letter", args=[addressed.pk])
    page = agent_client.get(url).content.decode()
    assert "Interesse bestätigen" in page and "W-2024-017" in page  # template and the contact's property
    response = agent_client.post(url, {"template": letter_template.pk, "property": prop.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="Brief' in response["Content-Disposition"]
    text = _pdf_text(response.content)
    for expected in ("Herr Dr. Jürgen Müller", "Domstraße 5a", "50668 Köln", "Ihr Interesse an W-2024-017",
                     "Sehr geehrter Herr Dr. Müller,", "Helle Wohnung am Rheinufer (W-2024-017)", "450.000 €",
                     "Testbüro Immobilien GmbH"):  # fmt: skip
        assert expected in text, expected
    # the address sits above the subject: window of the envelope first, then the letter
    assert text.index("50668 Köln") < text.index("Ihr Interesse an W-2024-017") < text.index("Sehr geehrter")
    logged = Activity.objects.get(type="letter")
    assert logged.contact_id == addressed.pk and logged.property_id == prop.pk
    assert logged.subject == "Brief erstellt: Ihr Interesse an W-2024-017"


def test_what_a_letter_cannot_be_made_from_is_said(
    agent_client: Client, agent: Any, contact: Any, addressed: Any, letter_template: MailTemplate
) -> None:
    url = reverse("mailing:letter", args=[addressed.pk])
    mail = services.template_create(office=agent.office, acting_user=agent, name="Mail", body="Hallo")
    assert "Bitte eine Briefvorlage wählen." in agent_client.post(url, {"template": mail.pk}).content.decode()
    # without a property the template's property fields have no value: a clear error, no PDF
    response = agent_client.post(url, {"template": letter_template.pk})
    assert response["Content-Type"].startswith("text/html") and "objekt." in response.content.decode()
    addressed.street = ""
    addressed.save()
    response = agent_client.post(url, {"template": letter_template.pk})
    assert "Für einen Brief fehlt die Anschrift" in response.content.decode()
    assert not Activity.objects.filter(type="letter").exists()


def test_no_letter_template_yet_offers_to_create_one(agent_client: Client, addressed: Any) -> None:
    page = agent_client.get(reverse("mailing:letter", args=[addressed.pk])).content.decode()
    assert "Noch keine Briefvorlage" in page and "?kind=letter" in page


def test_letters_only_for_the_own_office_and_not_read_only(
    addressed: Any, outsider: Any, readonly_user: Any
) -> None:
    url = reverse("mailing:letter", args=[addressed.pk])
    for user, status in ((outsider, 404), (readonly_user, 403)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status


def test_a_company_abroad_gets_its_country_last() -> None:
    from maklerwerk.contacts.models import Contact

    firm = Contact(company_name="Alpen Immo GmbH", street="Hauptplatz", house_number="1", postal_code="6020",
                   city="Innsbruck", country="at")  # fmt: skip
    assert address_lines(firm) == ["Alpen Immo GmbH", "Hauptplatz 1", "6020 Innsbruck", "AT"]


def test_the_api_writes_the_same_letter(
    agent: Any, addressed: Any, prop: Any, letter_template: MailTemplate, outsider: Any, readonly_user: Any
) -> None:
    from tests.conftest import api_client_for, assert_problem

    url = f"/api/v1/contacts/{addressed.pk}/letter.pdf"
    response = api_client_for(agent).post(url, {"template": letter_template.pk, "property": prop.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Sehr geehrter Herr Dr. Müller," in _pdf_text(response.content)
    mail = services.template_create(office=agent.office, acting_user=agent, name="Mail", body="Hallo")
    refused = api_client_for(agent).post(url, {"template": mail.pk})
    assert "Bitte eine Briefvorlage wählen." in assert_problem(refused, 400)["detail"]
    assert_problem(api_client_for(outsider).post(url, {"template": letter_template.pk}), 404)
    assert_problem(api_client_for(readonly_user).post(url, {"template": letter_template.pk}), 403)
    assert Activity.objects.filter(type="letter").count() == 1


def test_the_letter_renderer_fetches_no_file_and_no_url(
    agent: Any, addressed: Any, prop: Any, letter_template: MailTemplate, settings: Any, tmp_path: Path
) -> None:
    """Whatever HTML reaches the letter renderer (here a letter layout with hostile CSS and
    images, as an office layout or a future template field could bring), WeasyPrint reads no file
    and calls no URL: a real render, a real HTTP server that records requests."""
    import copy

    from maklerwerk.mailing.letters import letter_pdf
    from tests.fetchtrap import (
        HTTP_SIZE,
        TRAP_SIZE,
        hostile_css,
        media_picture,
        pdf_image_sizes,
        recording_server,
    )

    picture = media_picture(settings.MEDIA_ROOT)
    original = (Path(services.__file__).parent / "templates" / "mailing" / "letter.html").read_text()
    with recording_server() as (base_url, requested):
        layout = original.replace("</style>", hostile_css(base_url, picture) + "</style>").replace(
            "</body>",
            f'<img src="file://{picture}"><img src="{picture}"><img src="{base_url}/img.png">'
            f'<link rel="stylesheet" href="{base_url}/style.css"></body>',
        )
        override = tmp_path / "templates"
        (override / "mailing").mkdir(parents=True)
        (override / "mailing" / "letter.html").write_text(layout)
        templates = copy.deepcopy(settings.TEMPLATES)
        templates[0]["DIRS"] = [override, *templates[0]["DIRS"]]
        settings.TEMPLATES = templates
        _name, pdf = letter_pdf(template=letter_template, contact=addressed, prop=prop, acting_user=agent)
    sizes = pdf_image_sizes(pdf, tmp_path)
    assert (requested, TRAP_SIZE in sizes, HTTP_SIZE in sizes) == ([], False, False)
    assert "Domstraße 5a" in _pdf_text(pdf)  # the letter itself was rendered (with the trap layout)
