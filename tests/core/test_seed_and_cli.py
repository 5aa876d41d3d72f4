from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.accounts.models import Office, User
from maklerwerk.core.models import Activity
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_an_office_and_a_login_it_prints(client: Any) -> None:
    out = _seed()
    user = User.objects.get(username="demo")
    password = out.split("Passwort '")[1].split("'")[0]
    assert user.check_password(password)
    assert user.office is not None and user.office.name == "Musterimmobilien Rhein-Main GmbH"
    response = client.post("/login/", {"username": "demo", "password": password}, follow=True)
    assert "Musterimmobilien Rhein-Main GmbH" in response.content.decode()
    # the calendar of the first start is not empty: today's appointments on the dashboard, a series
    today = client.get("/appointments/today/")
    assert today.status_code == 200 and "Telefontermin Finanzierung" in today.content.decode()


def test_seed_demo_is_idempotent_and_tops_up_counts() -> None:
    first = _seed("--activities", "40")
    second = _seed("--activities", "40")
    assert Office.objects.count() == 1 and User.objects.filter(username="demo").count() == 1
    total = Activity.objects.count()
    assert Activity.objects.filter(payload__demo="core").count() == 40
    assert first.split("Passwort")[1] == second.split("Passwort")[1]  # same credentials shown again
    _seed("--activities", "55")
    assert Activity.objects.count() == total + 15


def test_first_start_seeds_only_once() -> None:
    _seed("--first-start")
    Activity.objects.all().delete()
    assert _seed("--first-start") == ""
    assert not Activity.objects.exists()


def test_create_api_token_prints_a_working_token(agent: Any) -> None:
    out = io.StringIO()
    call_command("create_api_token", "makler", stdout=out)
    assert ApiClient(out.getvalue().strip()).get("/api/v1/me").json()["username"] == "makler"


def test_create_api_token_for_an_unknown_user_fails_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'niemand'"):
        call_command("create_api_token", "niemand")


@pytest.mark.once
def test_the_production_settings_pass_djangos_deploy_check(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "maklerwerk.config.settings",
        "DEBUG": "0",
        "MAKLERWERK_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-0123456789",
        "ALLOWED_HOSTS": "crm.example.de",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://crm%40example.de:secret@smtp.example.de:587",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "-m", "maklerwerk", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # Production static files: compressed and fingerprinted by WhiteNoise's manifest storage.
    result = subprocess.run(
        [sys.executable, "-m", "maklerwerk", "collectstatic", "--noinput", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/htmx/htmx.min.js" in manifest and "maklerwerk/app.js" in manifest
