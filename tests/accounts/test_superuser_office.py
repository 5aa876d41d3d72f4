"""The README's path for API users (`createsuperuser` + `create_api_token`) gives a working admin."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from maklerwerk.accounts.models import Office, User
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password(monkeypatch: Any) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Ein-sicheres-Passwort-2024")


def _createsuperuser(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "createsuperuser", "--noinput", "--username", "chefin", "--email", "c@example.de", *args, stdout=out
    )
    return out.getvalue()


def _token(username: str, *args: str) -> tuple[ApiClient, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", username, *args, stdout=out, stderr=err)
    return ApiClient(out.getvalue().strip()), err.getvalue()


def test_on_a_fresh_install_the_superuser_gets_a_new_office_and_a_working_token() -> None:
    out = _createsuperuser()
    user = User.objects.get(username="chefin")
    assert user.office is not None and user.role == "admin"
    assert "chefin is administrator of the created office 'Mein Maklerbüro'" in out
    api, _ = _token("chefin")
    assert api.get("/api/v1/contacts").status_code == 200
    response = api.post("/api/v1/contacts", {"last_name": "Schmidt"})
    assert response.status_code == 201, response.content


def test_with_one_office_the_superuser_administers_it(office: Any) -> None:
    out = _createsuperuser()
    assert User.objects.get(username="chefin").office == office and Office.objects.count() == 1
    assert "office 'Testbüro Immobilien GmbH'" in out


def test_with_several_offices_the_office_must_be_named(office: Any, other_office: Any) -> None:
    with pytest.raises(CommandError, match="several offices; choose one with --office"):
        _createsuperuser()
    assert not User.objects.filter(username="chefin").exists()
    _createsuperuser("--office", "Fremdbüro AG")
    assert User.objects.get(username="chefin").office == other_office


def test_a_token_for_a_superuser_without_office_says_which_office_it_joins(
    office: Any, other_office: Any
) -> None:
    User.objects.create_superuser("alt", "alt@example.de", "Ein-sicheres-Passwort-2024")
    with pytest.raises(CommandError, match="several offices"):
        _token("alt")
    api, said = _token("alt", "--office", str(office.pk))
    assert "alt is now administrator of the office 'Testbüro Immobilien GmbH'" in said
    assert api.get("/api/v1/contacts").status_code == 200


def test_a_superuser_without_office_is_told_so_and_not_put_into_the_first_office(office: Any) -> None:
    user = User.objects.create_superuser("alt", "alt@example.de", "Ein-sicheres-Passwort-2024")
    client = Client()
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert "gehört noch zu keinem Büro" in page and "maklerwerk assign_office alt" in page
    user.refresh_from_db()
    assert user.office is None
    out = io.StringIO()
    call_command("assign_office", "alt", stdout=out)
    assert "alt is administrator of the office 'Testbüro Immobilien GmbH'" in out.getvalue()
    assert client.get("/").status_code == 200


def test_a_wrong_office_name_lists_the_offices_and_a_plain_name_is_found(
    office: Any, other_office: Any
) -> None:
    # The administrator reads the choices off the error, ids and names, one after the other.
    with pytest.raises(CommandError) as info:
        _createsuperuser("--office", "Nirgendwo")
    choices = f"{office.pk} ({office.name}), {other_office.pk} ({other_office.name})"
    assert str(info.value) == f"No office 'Nirgendwo'. Offices: {choices}"
    nord = Office.objects.create(name="Nord")  # a name of plain letters is a name, not an id
    _createsuperuser("--office", "nord")
    assert User.objects.get(username="chefin").office == nord


def test_naming_an_office_when_there_is_none_says_so() -> None:
    with pytest.raises(CommandError, match=r"^No office 'Nord'\. Offices: none$"):
        _createsuperuser("--office", "Nord")
