"""What an agent uploads to the document cloud: a clear German refusal above the size limit (and the
file at the limit kept), and file and folder names without paths, separators or control characters."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.sharing import services
from maklerwerk.sharing.models import CloudFile, PersonalFile

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.mark.parametrize("kind", ["cloud", "personal"])
def test_a_file_over_the_limit_is_refused_in_german_and_one_at_the_limit_is_kept(
    link: Any, agent: Any, settings: Any, kind: str
) -> None:
    settings.MAX_UPLOAD_BYTES = 2 * MB

    def add(size: int) -> Any:
        upload = SimpleUploadedFile("Plan.pdf", b"x" * size)
        if kind == "cloud":
            return services.cloud_file_add(cloud=link.cloud, upload=upload, acting_user=agent)
        return services.personal_file_add(
            cloud=link.cloud, contact=link.contact, upload=upload, acting_user=agent
        )

    with translation.override("de"), pytest.raises(ApplicationError) as refused:
        add(2 * MB + 1)
    assert refused.value.message == "Die Datei ist zu groß (höchstens 2 MB)."
    assert not CloudFile.objects.exists() and not PersonalFile.objects.exists()
    kept = add(2 * MB)
    assert kept.size == 2 * MB


def test_the_default_limit_is_25_mb(link: Any, agent: Any, settings: Any) -> None:
    del settings.MAX_UPLOAD_BYTES
    with translation.override("de"), pytest.raises(ApplicationError) as refused:
        services.cloud_file_add(
            cloud=link.cloud, upload=SimpleUploadedFile("Film.mp4", b"x" * (25 * MB + 1)), acting_user=agent
        )
    assert refused.value.message == "Die Datei ist zu groß (höchstens 25 MB)."


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("..\\..\\windows\\Lageplan.pdf", "Lageplan.pdf"),
        ("../../etc/pass:wd*?.pdf ", "pass_wd_.pdf"),
        ("...Grundriss EG..", "Grundriss EG"),
        ('Teil<1>|"2".pdf', "Teil_1_2_.pdf"),
        ("Zeile\r\nzwei.pdf", "Zeile_zwei.pdf"),
        ("a" * 250 + ".pdf", "a" * 200),
        ("...", "Datei"),
    ],
)
def test_uploaded_names_lose_paths_and_characters_file_systems_dislike(
    link: Any, agent: Any, given: str, shown: str
) -> None:
    added = services.cloud_file_add(
        cloud=link.cloud, upload=SimpleUploadedFile(given, b"%PDF"), acting_user=agent
    )
    assert added.name == shown
    stored = str(added.file.name).rsplit("/", 1)[-1]
    assert "/" not in stored and "\\" not in stored and ".." not in stored
    assert stored.startswith("datei") if shown == "Datei" else stored[:8] == shown[:8].replace(" ", "_")


def test_a_folder_name_is_cleaned_the_same_way(link: Any, agent: Any) -> None:
    folder = services.cloud_folder_create(cloud=link.cloud, name="../Pläne: EG/OG ", acting_user=agent)
    assert folder.name == "OG"
    renamed = services.cloud_folder_create(cloud=link.cloud, name="Verträge*2025", acting_user=agent)
    assert renamed.name == "Verträge_2025"


@pytest.mark.parametrize(
    ("title", "file_name"),
    [
        ("Grundriss   EG / OG", "Grundriss EG _ OG"),
        ("..Energieausweis 2024..", "Energieausweis 2024"),
        ("Plan\tKeller", "Plan_Keller"),
        ("x" * 230, "x" * 200),
        ("", ""),
    ],
)
def test_a_title_becomes_a_whole_file_name(title: str, file_name: str) -> None:
    assert services.safe_file_name(title) == file_name
