"""The dossier of a sale for the supervisory authority: a PDF with everything in the file, and a ZIP
with the PDF and the copies."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from maklerwerk.gwg.models import IdCopyView
from tests.conftest import api_client_for
from tests.gwg.conftest import ID_NUMBER, SUSPICION, jpeg_bytes

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "akte.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_holds_parties_identification_owners_risk_notes_and_checklist(
    case: Any, admin_client: Any, tmp_path: Path
) -> None:
    response = admin_client.get(reverse("gwg:dossier_pdf", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="gwg-akte-{case.pk}.pdf"'
    text = " ".join(pdf_text(response.content, tmp_path).split())
    for expected in (
        f"GwG-Akte #{case.pk} – K-100 Villa Lindenallee",
        "Testbüro Immobilien GmbH",
        "Berta Käufer",
        "Sven Verkäufer",
        f"Personalausweis {ID_NUMBER}, Stadt Köln",
        "14.03.1980, Bonn",
        "persönlich, mit dem Originaldokument",
        "Lindenhof Invest GmbH",
        "Köln HRB 12345",
        "Gerd Geschäftsführer",
        "allgemeine Sorgfaltspflichten",
        "Finanzierung über Hausbank",
        SUSPICION,
        "keine Meldung",
        "Checkliste",
        "Sven Verkäufer (Verkäufer) identifiziert",
        "nicht identifiziert",
        "Das Büro hat noch keine schriftliche Risikoanalyse (§5 GwG).",
    ):
        assert expected in text, expected
    # The JPEG copy is printed in the dossier, and opening it for the dossier is logged.
    images = subprocess.run(["pdfimages", "-list", "-"], input=response.content, capture_output=True).stdout
    assert b"jpeg" in images or b"image" in images
    assert IdCopyView.objects.filter(purpose="dossier").count() == 1


def test_the_zip_holds_the_pdf_and_the_decrypted_copies(case: Any, admin_user: Any) -> None:
    response = api_client_for(admin_user).get(f"/api/v1/gwg/cases/{case.pk}/dossier?format=zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = zf.namelist()
        party = case.parties.get(person_kind="natural", role="buyer")
        assert names == ["dossier.pdf", f"anlagen/{party.pk}-ausweis-berta.jpg"]
        assert zf.read(names[1]) == jpeg_bytes()
        assert zf.read("dossier.pdf").startswith(b"%PDF")
