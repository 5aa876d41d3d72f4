"""The personal iCal feed of a user: `GET /calendar/<secret>.ics`, no login, read-only.

The secret is shown once when the feed is created or rotated; only its SHA-256 is stored. The feed
holds only the user's own appointments (responsible, or attending as a colleague), from
`PAST_DAYS` (60) days back to `FUTURE_DAYS` (366) ahead, as `METHOD:PUBLISH` with one VTIMEZONE
Europe/Berlin. A feed URL leaks easily (it sits in calendar apps, sometimes in shared calendars),
so it shows the contacts' names but never their e-mail addresses or phone numbers.

Calendar apps poll the feed every few minutes to hours, and it rarely changed in between. So the
ETag is computed from the state of the data, not from the body: the window's day, the number of
appointments in it and their latest `updated_at` (every save sets it), the latest change of their
contacts, the user's name and the address of the office (`feed_state`, one aggregate query). A
poll with that ETag gets its 304 without the body being built; otherwise the body comes from the
cache under that ETag, and is built (linear in its events, 3 queries) only after a change.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit
from icalendar import Calendar, Component, Event

from maklerwerk.accounts.models import Office, User
from maklerwerk.appointments.ics import BERLIN, PRODID
from maklerwerk.appointments.models import Appointment, CalendarFeed
from maklerwerk.appointments.selectors import TOKEN_RE, of_user_q
from maklerwerk.appointments.services import token_hash
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.history import history_record
from maklerwerk.core.models import ChangeLog
from maklerwerk.properties.selectors import property_hidden_q
from maklerwerk.sharing.views_public import public_rate

PAST_DAYS = 60
FUTURE_DAYS = 366
CACHE_SECONDS = 2 * 24 * 3600  # a body is keyed by its ETag; this only frees the cache of old ones
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


def _window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From the start of the day PAST_DAYS back to the end of the day FUTURE_DAYS ahead (local time):
    the window moves once a day, so the state (and ETag) of an unchanged calendar holds all day."""
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=PAST_DAYS), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=FUTURE_DAYS + 1), dt.time.min))
    return start, end


def _appointments(user: User, *, office_id: int, now: dt.datetime) -> QuerySet[Appointment]:
    start, end = _window(now)
    return (
        Appointment.objects.filter(office_id=office_id, ends_at__gt=start, starts_at__lt=end)
        .filter(of_user_q(user.pk))
        .exclude(property_hidden_q(user, "property"))
    )


def feed_state(user: User, *, office_id: int, now: dt.datetime | None = None) -> str:
    """The ETag of the feed as it would be built now, from one aggregate query (no body)."""
    now = now or timezone.now()
    state = _appointments(user, office_id=office_id, now=now).aggregate(
        n=Count("pk", distinct=True), changed=Max("updated_at"), contacts=Max("contacts__updated_at")
    )
    parts = [
        "v1",
        timezone.localdate(now).isoformat(),
        str(state["n"]),
        str(state["changed"]),
        str(state["contacts"]),
        user.get_full_name() or user.username,
        absolute_url("/", office=office_id),
    ]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


@functools.cache
def _berlin_vtimezone() -> Component:
    """VTIMEZONE Europe/Berlin as icalendar writes it (1970–2038: the same for every feed), once."""
    probe = Calendar()
    event = Event()
    event.add("dtstart", dt.datetime(2026, 1, 1, 12, tzinfo=BERLIN))
    probe.add_component(event)
    probe.add_missing_timezones()
    return probe.walk("VTIMEZONE")[0]


def _blocks_key(user: User, office_id: int, detail_url: str, language: str) -> str:
    raw = f"{user.pk}|{office_id}|{detail_url}|{language}"
    return "appointments:feed-events:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def feed_ics(user: User, *, office_id: int, now: dt.datetime | None = None) -> bytes:
    """The user's own appointments as an iCalendar PUBLISH (names only, no e-mail or phone).

    Every time is Europe/Berlin, so the one VTIMEZONE is added as it is instead of searching the
    events for their zones. icalendar costs about 0.3 ms of CPU per event, so the feed's event
    blocks are kept in one cache entry (appointment id → its state and block; one read and one
    write whatever the cache backend): after a change only the changed events are built. The
    result is byte for byte what one `to_ical()` of the whole calendar gives (a calendar writes
    its properties, then each component in turn)."""
    qs = (
        _appointments(user, office_id=office_id, now=now or timezone.now())
        .select_related("property")
        .annotate(contacts_changed=Max("contacts__updated_at"))
        .order_by("starts_at", "pk")
    )
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Maklerwerk: %(name)s") % {"name": user.get_full_name() or user.username})
    cal.add("x-wr-timezone", "Europe/Berlin")
    cal.add_component(_berlin_vtimezone())
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)  # icalendar's fixed framing
    detail_url = absolute_url(reverse("appointments:detail", args=[0]), office=office_id)
    key = _blocks_key(user, office_id, detail_url, get_language() or "")
    appointments = list(qs)
    states = {
        a.pk: f"{a.updated_at.isoformat()}|{getattr(a, 'contacts_changed', None)}" for a in appointments
    }
    cached: dict[int, tuple[str, bytes]] = cache.get(key) or {}
    missing = [a for a in appointments if cached.get(a.pk, ("", b""))[0] != states[a.pk]]
    if missing:
        prefetch_related_objects(missing, "contacts")
    rebuilt = {a.pk for a in missing}
    blocks = {a.pk: cached[a.pk] for a in appointments if a.pk not in rebuilt}
    blocks.update({a.pk: (states[a.pk], _event(a, detail_url).to_ical()) for a in missing})
    if missing or len(blocks) != len(cached):
        cache.set(key, blocks, CACHE_SECONDS)
    return b"".join([head[: -len(end)], *(blocks[a.pk][1] for a in appointments), end])


def feed_body(feed: CalendarFeed, etag: str) -> bytes:
    """The feed's body for `etag` from the cache, built and stored on a miss."""
    key = f"appointments:feed:{feed.pk}:{etag.strip(chr(34))}"
    body = cache.get(key)
    if body is None:
        body = feed_ics(feed.user, office_id=feed.office_id)
        cache.set(key, body, CACHE_SECONDS)
    return bytes(body)


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
    etag = feed_state(feed.user, office_id=feed.office_id)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        body = feed_body(feed, etag)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="maklerwerk.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
