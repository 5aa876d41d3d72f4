"""The README's and docs/deploy.md's paths, run as written in a scratch data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables the suite (or the developer's shell) may set and that the documented paths do not.
NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG", "EMAIL_URL", "SECRET_KEY"}


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, "MAKLERWERK_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING", **extra}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "maklerwerk", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    # With DEBUG on, a 404 lists every URL of the app (Django's technical page).
    env = _env(tmp_path, EMAIL_URL="smtp://127.0.0.1:25", ALLOWED_HOSTS="crm.example.de")
    script = "from django.conf import settings; print(settings.DEBUG)"
    assert _run(env, "shell", "--no-imports", "-c", script).stdout.strip() == "False"
    assert _run({**env, "DEBUG": "1"}, "shell", "--no-imports", "-c", script).stdout.strip() == "True"


def test_production_without_a_mail_server_refuses_to_start(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        SECRET_KEY="x" * 30 + "-a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="crm.example.de",
    )
    result = _run(env, "check", "--deploy")
    assert result.returncode != 0
    assert "EMAIL_URL ist nicht gesetzt" in result.stderr and "EMAIL_URL is not set" in result.stderr
    assert "smtp+tls://" in result.stderr
    # gunicorn runs no system checks: the WSGI module itself refuses.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import maklerwerk.config.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert wsgi.returncode != 0 and "EMAIL_URL ist nicht gesetzt" in wsgi.stderr
    # Printing mails can still be chosen on purpose.
    assert _run({**env, "EMAIL_URL": "console://"}, "check").returncode == 0


def test_the_readme_path_migrate_superuser_token_gives_a_working_install(tmp_path: Path) -> None:
    env = _env(tmp_path, DEBUG="1", DJANGO_SUPERUSER_PASSWORD="Ein-sicheres-Passwort-2024")
    assert _run(env, "migrate", "--noinput", "-v0").returncode == 0
    # `migrate` alone (no createcachetable) is enough for the rate-limited public pages.
    script = (
        "from django.test import Client\n"
        "print(Client(SERVER_NAME='localhost').get('/sharing/d/x/').status_code)"
    )
    result = _run(env, "shell", "--no-imports", "-c", script)
    assert result.stdout.strip() == "404", result.stdout + result.stderr  # not 500 "no such table: cache"
    # The API user of the README: createsuperuser + create_api_token, then the API and the import work.
    made = _run(env, "createsuperuser", "--noinput", "--username", "chefin", "--email", "chefin@example.de")
    assert made.returncode == 0, made.stderr
    token = _run(env, "create_api_token", "chefin").stdout.strip()
    vcard = tmp_path / "k.vcf"
    vcard.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schmidt;Eva;;;\r\nFN:Eva Schmidt\r\nEND:VCARD\r\n")
    imported = _run(env, "import_vcard", str(vcard))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    script = (
        "from django.test import Client\n"
        f"r = Client(SERVER_NAME='localhost', headers={{'Authorization': 'Bearer {token}'}})"
        ".get('/api/v1/contacts')\n"
        "print(r.status_code, r.json()['count'])"
    )
    result = _run(env, "shell", "--no-imports", "-c", script)
    assert result.stdout.split() == ["200", "1"], result.stdout + result.stderr
