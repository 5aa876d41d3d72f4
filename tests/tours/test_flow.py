"""Registration → inquiry (source "Rundgang") → grant with a personal link → visits per room.

Real parts: the SMTP server (aiosmtpd), the inquiry automation (jobs run inline), the web pages
through Django's test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from maklerwerk.core.models import Activity
from maklerwerk.inquiries.models import Inquiry
from maklerwerk.sharing.visits import consent_texts
from maklerwerk.tours import services, tracking
from maklerwerk.tours.models import Registration, Visit
from tests.tours.conftest import beacon

pytestmark = pytest.mark.django_db


def register(client: Any, tour: Any, email: str = "lea.sommer@example.net") -> Any:
    page = reverse("tours:page", args=[tour.page_key])
    data = {
        "name": "Lea Sommer",
        "email": email,
        "phone": "0221 555123",
        "accept_notice": "1",
        "consent_version": consent_texts(tour.office).version,
    }
    return client.post(page, data)


def registered(client: Any, tour: Any, capture: Any, **kw: Any) -> Registration:
    with capture(execute=True):
        response = register(client, tour, **kw)
    assert response.status_code == 200
    assert "Vielen Dank für Ihre Registrierung" in response.content.decode()
    return Registration.objects.get(tour=tour)


def test_the_gated_page_shows_open_rooms_a_form_and_what_is_recorded(client, tour):
    response = client.get(reverse("tours:page", args=[tour.page_key]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wohnzimmer" in html and "Küche" in html
    assert "nach Registrierung" in html  # the bathroom is locked
    assert 'id="tour-register-form"' in html
    assert "ohne Cookies" in html
    assert "frame-src https://my.matterport.com" in response["Content-Security-Policy"]
    assert not response.cookies.get("sessionid")


def test_a_registration_is_an_inquiry_of_source_tour_with_a_contact_and_the_agent_is_told(
    client, tour, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    reg = registered(client, tour, django_capture_on_commit_callbacks)
    inquiry = reg.inquiry
    assert inquiry is not None
    assert inquiry.source == "tour" and inquiry.get_source_display() == "Rundgang"
    assert inquiry.property_id == tour.property_id
    assert inquiry.contact is not None and inquiry.contact.last_name == "Sommer"
    to_agent = [m for m in smtp_sink.parsed() if "anna@testbuero.example" in str(m["To"])]
    assert to_agent, [str(m["To"]) for m in smtp_sink.parsed()]
    text = to_agent[0].get_body(preferencelist=("plain",)).get_content()
    assert "Zugriff gestatten" in text and f"/tours/registrations/{reg.pk}/grant/" in text


def test_a_second_registration_with_the_same_email_creates_nothing(
    client, tour, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    registered(client, tour, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = register(client, tour, email="LEA.sommer@example.net")
    assert "bereits registriert" in again.content.decode()
    assert Registration.objects.count() == 1 and Inquiry.objects.count() == 1


def test_a_registration_without_consent_is_refused_in_german_and_keeps_the_input(client, tour):
    page = reverse("tours:page", args=[tour.page_key])
    response = client.post(page, {"name": "Lea", "email": "lea@example.net"})
    html = response.content.decode()
    assert response.status_code == 400 and "Bitte geben Sie Ihren Namen" in html
    assert 'value="lea@example.net"' in html and not Registration.objects.exists()


def _grant(client: Any, tour: Any, agent: Any, capture: Any, smtp_sink: Any) -> tuple[Any, str]:
    reg = registered(client, tour, capture)
    client.force_login(agent)
    response = client.post(reverse("tours:registration_grant", args=[reg.pk]))
    assert response.status_code == 302
    client.logout()
    mail = [m for m in smtp_sink.parsed() if "lea.sommer@example.net" in str(m["To"])][-1]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+/tours/p/[\w-]+/", text)
    assert url, text
    return reg, url.group(0)


def test_grant_sends_a_personal_link_that_opens_all_rooms_until_revoked(
    client, tour, agent, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    reg, url = _grant(client, tour, agent, django_capture_on_commit_callbacks, smtp_sink)
    path = url[url.index("/tours/p/") :]
    page = client.get(path)
    assert page.status_code == 200 and "Vollzugriff" in page.content.decode()
    assert "Bad" in page.content.decode() and 'id="tour-register-form"' not in page.content.decode()
    grant = reg.grants.get()
    assert grant.expires_at.date() == (grant.created_at + dt.timedelta(days=30)).date()
    services.grant_revoke(grant=grant, acting_user=agent)
    ended = client.get(path)
    assert ended.status_code == 410 and "Zugang beendet" in ended.content.decode()
    visit_id = tracking.visit_id_issue(path.split("/")[3])
    refused = client.post(
        path + "beacon/", beacon(visit_id, 0, "wohnen", wohnen=10), content_type="text/plain"
    )
    assert refused.status_code == 410 and not Visit.objects.exists()


def _personal(client, tour, agent, capture, smtp_sink) -> tuple[Any, str, str]:
    reg, url = _grant(client, tour, agent, capture, smtp_sink)
    path = url[url.index("/tours/p/") :]
    token = path.split("/")[3]
    return reg, path, token


def test_beacons_add_up_per_room_replays_never_double_and_one_activity_per_visit(
    client, tour, agent, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    reg, path, token = _personal(client, tour, agent, django_capture_on_commit_callbacks, smtp_sink)
    visit_id = tracking.visit_id_issue(token)
    send = lambda body: client.post(path + "beacon/", body, content_type="text/plain")  # noqa: E731
    assert send(beacon(visit_id, 0, "wohnen")).json() == {"counted": True}
    assert send(beacon(visit_id, 1, "wohnen", wohnen=15)).json() == {"counted": True}
    assert send(beacon(visit_id, 1, "wohnen", wohnen=15)).json() == {"counted": False}  # replayed
    assert send(beacon(visit_id, 3, "bad", bad=20)).json() == {"counted": True}  # before 2: out of order
    assert send(beacon(visit_id, 2, "bad", wohnen=25)).json() == {"counted": True}
    assert send(beacon(visit_id, 3, "bad", bad=20)).json() == {"counted": False}  # replayed
    visit = Visit.objects.get()
    assert visit.rooms["wohnen"]["seconds"] == 40 and visit.rooms["bad"]["seconds"] == 20
    assert tracking.visits_close_idle() == 0  # still there
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=11)):
        assert tracking.visits_close_idle() == 1
        assert tracking.visits_close_idle() == 0
        assert send(beacon(visit_id, 4, "bad", bad=15)).json() == {"counted": False}  # closed
    activity = Activity.objects.get(payload__kind="tour_visit")
    contact_id = reg.inquiry.contact_id
    assert activity.contact_id == contact_id and activity.property_id == tour.property_id
    assert activity.payload["rooms"] == {"wohnen": 40, "bad": 20}
    assert "Wohnzimmer 0:40" in activity.subject and "Bad 0:20" in activity.subject


def test_a_beacon_for_a_visit_id_of_another_link_is_refused(
    client, tour, agent, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    _reg, path, _token = _personal(client, tour, agent, django_capture_on_commit_callbacks, smtp_sink)
    foreign = tracking.visit_id_issue(tour.page_key)  # issued on the anonymous page
    response = client.post(
        path + "beacon/", beacon(foreign, 0, "wohnen", wohnen=5), content_type="text/plain"
    )
    assert response.status_code == 400 and "anderen Link" in response.json()["detail"]
    assert not Visit.objects.exists()


def test_anonymous_visits_are_counted_without_personal_data_and_locked_rooms_not_at_all(client, tour):
    visit_id = tracking.visit_id_issue(tour.page_key)
    url = reverse("tours:page_beacon", args=[tour.page_key])
    client.post(url, beacon(visit_id, 0, "wohnen", wohnen=12, bad=30), content_type="text/plain")
    visit = Visit.objects.get()
    assert visit.contact_id is None and visit.grant_id is None
    assert set(visit.rooms) == {"wohnen"}
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=11)):
        tracking.visits_close_idle()
    assert not Activity.objects.filter(payload__kind="tour_visit").exists()


def test_a_flood_of_beacons_from_one_ip_is_cut_off(client, tour, settings):
    settings.TOURS_BEACON_RATE = "5/m"
    visit_id = tracking.visit_id_issue(tour.page_key)
    url = reverse("tours:page_beacon", args=[tour.page_key])
    codes = [
        client.post(url, beacon(visit_id, i, "wohnen", wohnen=1), content_type="text/plain").status_code
        for i in range(12)
    ]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    assert Visit.objects.get().beacons == 5


def test_a_garbled_beacon_is_a_clear_400(client, tour):
    url = reverse("tours:page_beacon", args=[tour.page_key])
    response = client.post(url, b"{nope", content_type="text/plain")
    assert response.status_code == 400 and response.json()["detail"] == "Ungültiges Signal."


def test_the_tour_of_a_deleted_property_answers_like_an_unknown_link(client, tour, prop):
    key = tour.page_key
    prop.delete()
    page = client.get(reverse("tours:page", args=[key]))
    assert page.status_code == 404 and "nicht mehr gültig" in page.content.decode()
    assert (
        client.post(reverse("tours:page_beacon", args=[key]), b"{}", content_type="text/plain").status_code
        == 404
    )


def test_the_agent_grants_access_from_a_tour_inquiry(
    agent_client, client, tour, agent, no_opt_in, smtp_sink, django_capture_on_commit_callbacks
):
    registered(client, tour, django_capture_on_commit_callbacks, email="lea@example.net")
    inquiry = Inquiry.objects.get(email="lea@example.net")
    detail = agent_client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert "Rundgang-Zugriff gestatten" in detail
    ask = agent_client.get(reverse("tours:inquiry_grant", args=[inquiry.pk])).content.decode()
    assert "Lea Sommer" in ask and str(tour) in ask
    done = agent_client.post(
        reverse("tours:inquiry_grant", args=[inquiry.pk]),
        {"tour_id": tour.pk, "next": reverse("inquiries:detail", args=[inquiry.pk])},
        follow=True,
    )
    assert "Zugriff für Lea Sommer bis" in done.content.decode()
    assert any(
        "lea@example.net" in str(m["To"]) and "/tours/p/" in str(m.get_body()) for m in smtp_sink.parsed()
    )
