from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_reports_ok_when_database_and_job_storage_answer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "jobs": "ok"}


def test_it_reports_503_when_the_job_storage_fails(monkeypatch: Any) -> None:
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    def broken() -> int:
        raise ConnectionError("storage gone")

    monkeypatch.setattr(HUEY.storage, "queue_size", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "jobs": "error"},
        "database": connection.vendor,
    }


def test_it_reports_503_when_the_database_fails(monkeypatch: Any) -> None:
    from django.db import connection

    def broken() -> Any:
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_every_page_has_the_favicon_and_favicon_ico_finds_it(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("maklerwerk/favicon.svg")
    assert 'rel="icon" href="/static/maklerwerk/favicon.svg"' in client.get("/login/").content.decode()
