"""The ID copy is encrypted at rest: what lies on the disk is ciphertext; only a user with the GwG
permission gets the picture back, and every view is logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from maklerwerk.gwg import services
from maklerwerk.gwg.models import IdCopyView
from tests.conftest import api_client_for
from tests.gwg.conftest import client_for, jpeg_bytes

pytestmark = pytest.mark.django_db


def _berta(case: Any) -> Any:
    return case.parties.get(person_kind="natural", role="buyer")


def test_the_copy_on_disk_is_unreadable_ciphertext(case: Any) -> None:
    ident = _berta(case).identification
    stored = Path(settings.MEDIA_ROOT) / ident.id_copy.name
    raw = stored.read_bytes()
    plain = jpeg_bytes()
    assert stored.suffix == ".enc" and "berta" not in stored.name.lower()
    assert not raw.startswith(b"\xff\xd8") and b"JFIF" not in raw and plain[20:80] not in raw
    # No other file under the media folder holds the picture either.
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            assert plain[20:80] not in path.read_bytes(), path


def test_admin_sees_the_copy_and_the_view_is_logged(case: Any, admin_client: Any, admin_user: Any) -> None:
    party = _berta(case)
    response = admin_client.get(reverse("gwg:id_copy", args=[party.pk]))
    assert response.status_code == 200
    assert response.content == jpeg_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    api = api_client_for(admin_user)
    assert api.get(f"/api/v1/gwg/parties/{party.pk}/identification/id-copy").content == jpeg_bytes()
    views = list(
        IdCopyView.objects.filter(identification=party.identification).values_list(
            "user__username", "purpose"
        )
    )
    assert views == [("admin", "api"), ("admin", "view")]
    page = admin_client.get(reverse("gwg:case", args=[case.pk])).content.decode()
    assert "Abrufe der Ausweiskopien" in page and "Ada Admin" in page


def test_agent_and_readonly_cannot_read_it(case: Any, agent: Any, readonly_user: Any) -> None:
    party = _berta(case)
    for user in (agent, readonly_user):
        assert client_for(user).get(reverse("gwg:id_copy", args=[party.pk])).status_code == 403
        response = api_client_for(user).get(f"/api/v1/gwg/parties/{party.pk}/identification/id-copy")
        assert response.status_code == 403 and jpeg_bytes() not in response.content
    assert not IdCopyView.objects.exists()


def test_a_file_that_is_no_picture_or_pdf_is_refused_in_german_and_the_old_copy_stays(
    case: Any, admin_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    party = _berta(case)
    before = party.identification.id_copy.name
    upload = SimpleUploadedFile("ausweis.exe", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = admin_client.post(reverse("gwg:id_copy", args=[party.pk]), {"file": upload}, follow=True)
    assert (
        "Als Kopie können nur PDF-, JPEG- oder PNG-Dateien gespeichert werden." in response.content.decode()
    )
    party.identification.refresh_from_db()
    assert party.identification.id_copy.name == before


def test_a_replaced_copy_is_gone_from_the_disk(
    case: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ident = _berta(case).identification
    old = Path(settings.MEDIA_ROOT) / ident.id_copy.name
    with django_capture_on_commit_callbacks(execute=True):
        services.id_copy_store(
            ident=ident, acting_user=admin_user, data=jpeg_bytes("blue"), filename="neu.jpg"
        )
    assert not old.exists()
    data, _mime, name = services.id_copy_open(ident=ident, acting_user=admin_user)
    assert data == jpeg_bytes("blue") and name == "neu.jpg"


def test_with_another_secret_key_the_copy_stays_closed_with_a_german_reason(
    case: Any, admin_client: Any
) -> None:
    party = _berta(case)
    with override_settings(SECRET_KEY="a-different-key-" * 4):
        from maklerwerk.core.exceptions import ApplicationError

        with pytest.raises(ApplicationError, match=r"lässt sich nicht entschlüsseln|cannot be decrypted"):
            services.id_copy_open(ident=party.identification, acting_user=party.case.created_by)
