"""The personal iCal feed of a user: `GET /calendar/<secret>.ics`, no login, read-only.

The secret is shown once when the feed is created or rotated; only its SHA-256 is stored. The feed
holds only the user's own appointments (responsible), from 60 days back to a year ahead, as
`METHOD:PUBLISH` with a VTIMEZONE Europe/Berlin. A feed URL leaks easily (it sits in calendar
apps, sometimes in shared calendars), so it shows the contacts' names but never their e-mail
addresses or phone numbers. The body is stable for unchanged data (DTSTAMP is the appointment's
creation), so its ETag answers a repeated poll with 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit
from icalendar import Calendar, Event

from maklerwerk.accounts.models import Office, User
from maklerwerk.appointments.ics import BERLIN, PRODID
from maklerwerk.appointments.models import Appointment, CalendarFeed
from maklerwerk.appointments.selectors import TOKEN_RE
from maklerwerk.appointments.services import token_hash
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.history import history_record
from maklerwerk.core.models import ChangeLog
from maklerwerk.properties.selectors import property_hidden_q
from maklerwerk.sharing.views_public import public_rate

PAST_DAYS = 60
FUTURE_DAYS = 366
STATUS: dict[str, str] = {"cancelled": "CANCELLED", "planned": "TENTATIVE"}


def feed_url(token: str, *, office_id: int) -> str:
    return absolute_url(reverse("calendar_feed", args=[token]), office=office_id)


def webcal_url(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


@transaction.atomic
def feed_create(*, user: User, office: Office) -> str:
    """Create the user's feed, or rotate its secret (the old URL stops working); returns the URL."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.update_or_create(
        user=user,
        defaults={"office": office, "token_hash": token_hash(token), "last_read_at": None},
    )
    history_record(
        instance=feed,
        acting_user=user,
        action=ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE,
    )
    return feed_url(token, office_id=office.pk)


@transaction.atomic
def feed_revoke(*, user: User) -> bool:
    """Revoke the user's feed; the URL answers 404 from now on. Returns whether there was one."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return False
    history_record(instance=feed, acting_user=user, action=ChangeLog.Action.DELETE)
    feed.delete()
    return True


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_resolve(token: str) -> CalendarFeed | None:
    if not TOKEN_RE.match(token):
        return None
    return (
        CalendarFeed.objects.select_related("user", "user__office")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )


def _event(a: Appointment, detail_url: str) -> Event:
    event = Event()
    event.add("uid", a.uid)
    event.add("sequence", a.sequence)
    event.add("dtstamp", a.created_at.astimezone(dt.UTC))
    if a.all_day:
        start = timezone.localtime(a.starts_at).date()
        end = max(timezone.localtime(a.ends_at).date(), start + dt.timedelta(days=1))
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", a.starts_at.astimezone(BERLIN))
        event.add("dtend", a.ends_at.astimezone(BERLIN))
    event.add("summary", str(a))
    if a.location:
        event.add("location", a.location)
    names = ", ".join(c.display_name for c in a.contacts.all())
    lines = [f"{_('With')}: {names}"] if names else []
    if a.notes:
        lines.append(a.notes)
    lines.append(detail_url.replace("/0/", f"/{a.pk}/"))
    event.add("description", "\n".join(lines))
    event.add("status", STATUS.get(a.status, "CONFIRMED"))
    return event


def feed_ics(user: User, *, office_id: int, now: dt.datetime | None = None) -> bytes:
    """The user's own appointments as an iCalendar PUBLISH (names only, no e-mail or phone)."""
    now = now or timezone.now()
    qs = (
        Appointment.objects.filter(
            office_id=office_id,
            responsible=user,
            ends_at__gt=now - dt.timedelta(days=PAST_DAYS),
            starts_at__lt=now + dt.timedelta(days=FUTURE_DAYS),
        )
        .exclude(property_hidden_q(user, "property"))
        .select_related("property")
        .prefetch_related("contacts")
        .order_by("starts_at", "pk")
    )
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Maklerwerk: %(name)s") % {"name": user.get_full_name() or user.username})
    cal.add("x-wr-timezone", "Europe/Berlin")
    detail_url = absolute_url(reverse("appointments:detail", args=[0]), office=office_id)
    for appointment in qs:
        cal.add_component(_event(appointment, detail_url))
    cal.add_missing_timezones()
    if not cal.walk("VTIMEZONE"):  # an empty feed still names its zone for the client
        cal.add_component(Calendar.from_ical(_berlin_template()).walk("VTIMEZONE")[0])
    return cal.to_ical()


def _berlin_template() -> bytes:
    probe = Calendar()
    event = Event()
    event.add("dtstart", dt.datetime(2026, 1, 1, 12, tzinfo=BERLIN))
    probe.add_component(event)
    probe.add_missing_timezones()
    return probe.to_ical()


@csrf_exempt
@login_not_required
@ratelimit(key="ip", rate=public_rate, block=False)
def feed_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """The feed for calendar apps: GET/HEAD only, ETag and 304, 404 for unknown or revoked secrets."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if getattr(request, "limited", False):
        return HttpResponse(status=429, content_type="text/plain; charset=utf-8")
    feed = feed_resolve(token)
    if feed is None:
        return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
    body = feed_ics(feed.user, office_id=feed.office_id)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="maklerwerk.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
