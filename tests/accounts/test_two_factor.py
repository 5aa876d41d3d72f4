"""Two-factor login (issue 22): TOTP with recovery codes, the office's "2FA Pflicht", the rate
limit on the code form, and API tokens that keep working."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maklerwerk.accounts import twofactor
from maklerwerk.accounts.models import RecoveryCode
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db
PASSWORD = "Geheim-Passwort-1"


def now_code(device: Any, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step if offset else totp.time
    return f"{totp.token():06d}"


def enrol(user: Any) -> tuple[Any, list[str]]:
    device = twofactor.enrolment_device(user)
    codes = twofactor.enrolment_confirm(user=user, code=now_code(device))
    device.refresh_from_db()
    return device, codes


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_it_logs_in_only_after_the_current_code_and_a_recovery_code_works_once(
    agent: Any, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the waiting after wrong codes has its own test
    device, codes = enrol(agent)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Hashed at rest: no code is in the database.
    stored = set(RecoveryCode.objects.filter(user=agent).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored

    client = Client()
    response = client.post("/login/", {"username": "makler", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    # Between the steps nothing is reachable: not a page, not the API.
    assert client.get("/contacts/").status_code == 302
    assert client.get("/api/v1/contacts").status_code == 401
    wrong = client.post("/login/code/", {"code": "000000" if now_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Der Code stimmt nicht" in wrong.content.decode()
    # The code of the set-up was used; the app's next one (one step of drift is allowed) logs in.
    ok = client.post("/login/code/", {"code": now_code(device, 1)})
    assert ok.status_code == 302
    assert client.get("/contacts/").status_code == 200

    # A recovery code instead of the app (phone lost), written with spaces and capitals: once only.
    other = Client()
    other.post("/login/", {"username": "makler", "password": PASSWORD})
    typed = codes[3].upper().replace("-", " ")
    assert other.post("/login/code/", {"code": typed}).status_code == 302
    third = Client()
    third.post("/login/", {"username": "makler", "password": PASSWORD})
    again = third.post("/login/code/", {"code": typed})
    assert again.status_code == 400 and third.get("/contacts/").status_code == 302


def test_a_code_works_once_and_wrong_codes_make_the_form_wait(agent: Any, settings: Any) -> None:
    device, _codes = enrol(agent)
    client = Client()
    client.post("/login/", {"username": "makler", "password": PASSWORD})
    # The code used to confirm the set-up cannot log in again (replay).
    replay = client.post("/login/code/", {"code": now_code(device)})
    assert replay.status_code == 400
    # After a wrong code even the right one waits (growing delays), said in German.
    wait = client.post("/login/code/", {"code": now_code(device, 1)})
    assert wait.status_code == 400 and "Zu viele falsche Codes. Bitte warten Sie bis" in wait.content.decode()
    responses = [client.post("/login/code/", {"code": "12345x"}).status_code for _ in range(4)]
    # The sixth try within a minute is refused with the German rate-limit page.
    assert responses == [400, 400, 400, 429]
    assert "Zu viele" in client.post("/login/code/", {"code": "1"}).content.decode()


def test_an_office_that_requires_two_factor_sends_every_page_to_the_set_up(
    office: Any, admin_user: Any, agent: Any, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = Client()
    admin.force_login(admin_user)
    form = admin.get("/settings/").content.decode()
    assert "Zwei-Faktor-Anmeldung Pflicht" in form
    office.two_factor_required = True
    office.save()
    client = Client()
    client.post("/login/", {"username": "makler", "password": PASSWORD})
    response = client.get("/contacts/")
    assert response.status_code == 302 and response["Location"] == "/settings/two-factor/"
    assert client.get("/api/v1/contacts").status_code == 401  # the session reaches no API either
    page = client.get("/settings/two-factor/").content.decode()
    assert "Ihr Büro verlangt die Zwei-Faktor-Anmeldung" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    # A wrong first code: a German error, nothing set up.
    bad = client.post("/settings/two-factor/", {"action": "confirm", "code": "abc"})
    assert bad.status_code == 400 and "Der Code stimmt nicht" in bad.content.decode()
    done = client.post("/settings/two-factor/", {"action": "confirm", "code": now_code(device)})
    body = done.content.decode()
    assert "nur dieses eine Mal" in body and body.count('<li class="col-6') == 10
    assert client.get("/contacts/").status_code == 200
    # It cannot be switched off while the office requires it.
    off = client.post("/settings/two-factor/", {"action": "remove"})
    assert "verlangt die Zwei-Faktor-Anmeldung" in off.content.decode()
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
    # The administrator (who set it up as well) resets it for a lost phone: the agent sets it up again.
    admin_device, _codes = enrol(admin_user)
    admin = Client()
    admin.post("/login/", {"username": admin_user.username, "password": PASSWORD})
    assert admin.post("/login/code/", {"code": now_code(admin_device, 1)}).status_code == 302
    assert "eingerichtet" in admin.get("/settings/").content.decode()
    admin.post(f"/settings/users/{agent.pk}/two-factor-reset/")
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not RecoveryCode.objects.filter(user=agent).exists()


def test_a_session_from_before_the_set_up_elsewhere_must_log_in_again(agent: Any) -> None:
    old = Client()
    old.force_login(agent)
    assert old.get("/contacts/").status_code == 200
    enrol(agent)
    new = Client()
    new.force_login(agent)  # a login that skipped the code step
    response = new.get("/contacts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_api_tokens_keep_working_with_two_factor_required(office: Any, agent: Any) -> None:
    office.two_factor_required = True
    office.save()
    enrol(agent)
    assert api_client_for(agent).get("/api/v1/contacts").status_code == 200


def test_another_office_cannot_reset_a_users_second_factor(agent: Any, outsider: Any) -> None:
    enrol(agent)
    outsider.role = "admin"
    outsider.save()
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/settings/users/{agent.pk}/two-factor-reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
