"""One rule for every absolute link: configured MAKLERWERK_BASE_URL, else the request's address, else
(jobs) the address of the request that started the job or the office's last one, else HOST/PORT."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from maklerwerk.core import baseurl
from maklerwerk.core.baseurl import port_mismatch_warning, using_base_url
from maklerwerk.core.jobs import JOBS, job_function, job_start
from maklerwerk.core.models import Job
from maklerwerk.sharing import services

from .conftest import token_of


@job_function("tests.share_link_url")
def _link_url_job(progress: Any, *, link_id: int) -> dict[str, str]:
    from maklerwerk.sharing.models import ShareLink

    return {"url": services.share_link_public_url(ShareLink.objects.get(pk=link_id))}


JOBS.register(_link_url_job.job_kind)  # type: ignore[attr-defined]  # a test's own job kind


@pytest.mark.django_db
def test_document_link_uses_the_address_the_agent_is_using(api: Any, prospect: Any, prop: Any) -> None:
    response = api.post(
        "/api/v1/shares",
        {"contact_id": prospect.pk, "property_id": prop.pk},
        headers={"Host": "localhost:8765"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith("http://localhost:8765/sharing/d/")


@pytest.mark.django_db
def test_self_service_link_follows_the_same_rule(agent_client: Any, prospect: Any) -> None:
    response = agent_client.post(
        f"/properties/contact-tab/{prospect.pk}/self-service/",
        headers={"Host": "localhost:8765"},
        follow=True,
    )
    assert "http://localhost:8765/properties/s/" in response.content.decode()


@pytest.mark.django_db
def test_configured_base_url_wins_over_the_request(api: Any, prospect: Any, prop: Any, settings: Any) -> None:
    settings.BASE_URL_CONFIGURED, settings.BASE_URL = True, "https://crm.example.de"
    response = api.post(
        "/api/v1/shares",
        {"contact_id": prospect.pk, "property_id": prop.pk},
        headers={"Host": "localhost:8765"},
    )
    assert response.json()["url"].startswith("https://crm.example.de/sharing/d/")


@pytest.mark.django_db
def test_a_job_builds_links_with_the_address_of_the_request_that_started_it(
    link: Any, office: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with using_base_url("http://192.168.1.20:8765"), django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="tests.share_link_url", title="t", office=office, created_by=agent, link_id=link.pk
        )
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.result["url"] == f"http://192.168.1.20:8765/sharing/d/{token_of(link)}/"


@pytest.mark.django_db
def test_outside_a_request_the_office_address_last_used_is_taken(
    agent_client: Any, link: Any, settings: Any
) -> None:
    cache.clear()
    baseurl._remembered.clear()
    assert services.share_link_public_url(link).startswith(settings.BASE_URL + "/sharing/d/")
    agent_client.get("/", headers={"Host": "localhost:8765"})
    assert services.share_link_public_url(link) == f"http://localhost:8765/sharing/d/{token_of(link)}/"


def test_a_port_disagreeing_with_the_configured_base_url_is_named() -> None:
    warning = port_mismatch_warning(host="127.0.0.1", port=8765, configured="http://127.0.0.1:8000")
    assert warning and "Port 8000" in warning and "Port 8765" in warning
    assert port_mismatch_warning(host="127.0.0.1", port=8765, configured="http://localhost:8765") is None
    # A public name behind a proxy maps its own port: no warning.
    assert port_mismatch_warning(host="127.0.0.1", port=8000, configured="https://crm.example.de") is None
    assert port_mismatch_warning(host="127.0.0.1", port=8765, configured="") is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port() -> int:
    """8765 as in the README's example when it is free on this machine, else any free port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 8765))
        except OSError:
            return _free_port()
    return 8765


SETUP = """
from maklerwerk.accounts.models import Office, User
from maklerwerk.accounts.services import api_token_create
from maklerwerk.contacts.models import Contact
from maklerwerk.properties.models import Property
office = Office.objects.create(name='Büro')
user = User.objects.create_user('makler', password='x', office=office, role='agent')
_, token = api_token_create(user=user, name='t')
c = Contact.objects.create(office=office, first_name='Erika', last_name='Muster')
p = Property.objects.create(office=office, external_id='W-1', title='Wohnung')
print(token, c.pk, p.pk)
"""

OUTSIDE = """
from maklerwerk.sharing.models import ShareLink
from maklerwerk.sharing.services import share_link_create, share_link_public_url
first = ShareLink.objects.first()
print(share_link_public_url(share_link_create(office=first.office, contact=first.contact,
      property=first.property, acting_user=None, consent_required=False)))
"""


@pytest.mark.jobs
@pytest.mark.once
def test_started_with_port_the_document_link_points_at_that_port(tmp_path: Path) -> None:
    port = _port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MAKLERWERK_BASE_URL", "PORT", "HOST"}
        },
        "MAKLERWERK_DATA_DIR": str(tmp_path),
        "DEBUG": "1",
        "WEB_WORKERS": "1",
        "PORT": str(port),  # as in `PORT=8765 make run`
    }

    def manage(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "maklerwerk", *args], env=env, check=True, capture_output=True, text=True
        ).stdout

    manage("migrate", "-v0")
    token, contact_id, property_id = manage("shell", "--no-imports", "-c", SETUP).split()
    proc = subprocess.Popen(
        [sys.executable, "-m", "maklerwerk", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/shares",
            data=json.dumps({"contact_id": int(contact_id), "property_id": int(property_id)}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        body = None
        deadline = time.monotonic() + 30
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    body = json.loads(resp.read())
            except OSError:
                time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert body["url"].startswith(f"http://127.0.0.1:{port}/sharing/d/")
        # The link works at that address.
        with urllib.request.urlopen(body["url"], timeout=5) as resp:
            assert resp.status == 200
        # Built without any request (as a job or an admin command does): still this port.
        assert manage("shell", "--no-imports", "-c", OUTSIDE).strip().startswith(f"http://127.0.0.1:{port}/")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(20)


@pytest.mark.once
def test_serve_and_runserver_warn_when_port_and_base_url_disagree(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **{
            k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PORT"}
        },
        "MAKLERWERK_DATA_DIR": str(tmp_path),
        "DEBUG": "1",
        "WEB_WORKERS": "1",
        "MAKLERWERK_BASE_URL": "http://127.0.0.1:8000",
        "PORT": str(port),
    }
    for command in (["serve"], ["runserver", "--noreload", str(port)]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "maklerwerk", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        seen = ""
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                seen += line
                if "MAKLERWERK_BASE_URL" in line or "Quit the server" in line or "Ctrl-C" in line:
                    break
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:  # still starting on a loaded machine: the warning is read
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(20)
        assert f"zeigt auf Port 8000, der Server hört aber auf Port {port}" in seen, seen
