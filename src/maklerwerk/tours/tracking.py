"""Visits: beacons of the tour page, the closing job (one activity per visit) and the provider
webhook.

A page visit id is issued with the page and signed with the key it was issued for (the personal
token or the tour's page key), so a beacon for another visit id, another tour or another person's
link is refused; no cookie is set. Each beacon carries a sequence number: a replayed or repeated
beacon (same or lower number) adds nothing. The time per room comes from the page (the seconds
since its previous beacon, at most `MAX_BEACON_SECONDS` each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from maklerwerk.contacts.selectors import contact_by_email
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.tours.models import Grant, Tour, Visit
from maklerwerk.tours.services import webhook_secret

IDLE = dt.timedelta(minutes=10)
MAX_BEACON_SECONDS = 60
MAX_BEACONS_PER_VISIT = 2000
WEBHOOK_MAX_AGE = 300
ROOM_PAGE = "_seite"  # a provider without room events: time on the page


def _sign(key: str, nonce: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"tours.visit:{key}:{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:24]


def visit_id_issue(key: str) -> str:
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_sign(key, nonce)}"


def visit_id_valid(key: str, visit_id: str) -> bool:
    nonce, _sep, sig = (visit_id or "").partition(".")
    return bool(nonce) and len(visit_id) <= 80 and hmac.compare_digest(sig, _sign(key, nonce))


@dataclass
class Beacon:
    visit_id: str
    seq: int
    room: str = ""  # the room the visitor is in now
    seconds: dict[str, float] = field(default_factory=dict)  # room key → seconds since the last beacon


class BeaconRefused(ApplicationError):
    pass


def beacon_parse(raw: bytes) -> Beacon:
    try:
        data = json.loads(raw.decode("utf-8"))
        seconds = {
            str(k)[:100]: max(0.0, min(float(v), MAX_BEACON_SECONDS))
            for k, v in dict(data.get("seconds") or {}).items()
        }
        beacon = Beacon(
            str(data["visit_id"])[:100], int(data["seq"]), str(data.get("room") or "")[:100], seconds
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BeaconRefused(_("Invalid beacon.")) from exc
    if len(beacon.seconds) > 50 or sum(beacon.seconds.values()) > MAX_BEACON_SECONDS or beacon.seq < 0:
        raise BeaconRefused(_("Invalid beacon."))
    return beacon


def beacon_record(*, tour: Tour, key: str, grant: Grant | None, beacon: Beacon) -> Visit | None:
    """Add one beacon to its visit. None if it adds nothing (replayed, closed, too many)."""
    if not visit_id_valid(key, beacon.visit_id):
        raise BeaconRefused(_("This visit belongs to another link."))
    allowed = {r["key"] for r in (tour.rooms if grant is not None else tour.open_rooms())} | {ROOM_PAGE}
    seconds = {k: v for k, v in beacon.seconds.items() if k in allowed}
    with transaction.atomic():
        visit, _created = Visit.objects.select_for_update().get_or_create(
            tour=tour,
            visit_key=beacon.visit_id,
            defaults={
                "office_id": tour.office_id,
                "grant": grant,
                "contact_id": grant.contact_id if grant is not None else None,
            },
        )
        seen = list(visit.seen)
        if visit.closed_at is not None or beacon.seq in seen or len(seen) >= MAX_BEACONS_PER_VISIT:
            return None
        rooms = dict(visit.rooms)
        for room_key, secs in seconds.items():
            entry = rooms.setdefault(room_key, {"name": tour.room_name(room_key), "seconds": 0.0})
            entry["seconds"] = round(float(entry["seconds"]) + secs, 1)
        visit.rooms = rooms
        visit.seen = [*seen, beacon.seq]
        visit.beacons = F("beacons") + 1
        visit.last_seen_at = timezone.now()
        visit.current_room = beacon.room if beacon.room in allowed else visit.current_room
        visit.save(update_fields=["rooms", "seen", "beacons", "last_seen_at", "current_room"])
    return visit


# --- closing ---------------------------------------------------------------------------------------


def _room_line(rooms: dict[str, Any]) -> str:
    parts = []
    for entry in sorted(rooms.values(), key=lambda e: -float(e.get("seconds", 0))):
        secs = round(float(entry.get("seconds", 0)))
        parts.append(f"{entry.get('name')} {secs // 60}:{secs % 60:02d}")
    return ", ".join(parts)


def _activity_for(visit: Visit) -> Activity | None:
    if visit.contact_id is None or visit.total_seconds <= 0:
        return None  # anonymous visits are only counted
    tour = visit.tour
    shown = {k: v for k, v in visit.rooms.items() if k != ROOM_PAGE} or visit.rooms  # page time without rooms
    rooms = {k: round(float(v.get("seconds", 0))) for k, v in shown.items()}
    return activity_create(
        office=tour.office,
        type=Activity.Type.VIEWING,
        subject=(_("Virtual tour visited: %(rooms)s") % {"rooms": _room_line(shown)})[:300],
        acting_user=None,
        occurred_at=visit.started_at,
        contact_id=visit.contact_id,
        property_id=tour.property_id,
        payload={
            "kind": "tour_visit",
            "tour_id": tour.pk,
            "visit_id": visit.pk,
            "source": visit.source,
            "rooms": rooms,
            "room_names": {k: str(v.get("name") or k) for k, v in shown.items()},
            "seconds": sum(rooms.values()),
        },
    )


def visit_close(visit_id: int) -> bool:
    """Close one visit and write its activity, both or neither (claimed: never twice)."""
    with transaction.atomic():
        claimed = Visit.objects.filter(pk=visit_id, closed_at__isnull=True).update(closed_at=timezone.now())
        if not claimed:
            return False
        visit = Visit.objects.select_related("tour", "tour__office").get(pk=visit_id)
        activity = _activity_for(visit)
        if activity is not None:
            Visit.objects.filter(pk=visit_id).update(activity=activity)
    return True


def visits_close_idle(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The periodic job: visits idle for ten minutes are closed, one activity each."""
    cutoff = (now or timezone.now()) - IDLE
    ids = list(
        Visit.objects.filter(closed_at__isnull=True, last_seen_at__lte=cutoff).values_list("pk", flat=True)[
            :limit
        ]
    )
    return sum(1 for pk in ids if visit_close(pk))


# --- provider webhook ------------------------------------------------------------------------------


class WebhookRefused(ApplicationError):
    status_code = 401


def webhook_verify(*, tour: Tour, timestamp: str, signature: str, body: bytes) -> None:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise WebhookRefused(_("Missing or invalid timestamp.")) from exc
    if abs(timezone.now().timestamp() - ts) > WEBHOOK_MAX_AGE:
        raise WebhookRefused(_("The request is too old (more than five minutes)."))
    expected = hmac.new(webhook_secret(tour).encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"sha256={expected}", (signature or "").strip()):
        raise WebhookRefused(_("Invalid signature."))


@dataclass(frozen=True)
class ReportedVisit:
    visit_id: str
    started_at: dt.datetime
    ended_at: dt.datetime
    rooms: dict[str, dict[str, Any]]
    email: str = ""


def webhook_parse(body: bytes, tour: Tour) -> ReportedVisit:
    try:
        data = json.loads(body.decode("utf-8"))
        if data.get("event") != "visit":
            raise ValueError("event")
        started, ended = parse_datetime(str(data["started_at"])), parse_datetime(str(data["ended_at"]))
        if started is None or ended is None or ended < started:
            raise ValueError("dates")
        rooms: dict[str, dict[str, Any]] = {}
        for r in data.get("rooms") or []:
            key = str(r["key"])[:100]
            secs = max(0.0, min(float(r.get("seconds") or 0), 24 * 3600.0))
            rooms[key] = {"name": str(r.get("name") or tour.room_name(key))[:100], "seconds": secs}
        visit_id = str(data["visit_id"]).strip()[:100]
        if not visit_id:
            raise ValueError("visit_id")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ApplicationError(_("Invalid visit report: %(e)s") % {"e": exc}) from exc
    return ReportedVisit(visit_id, started, ended, rooms, str(data.get("email") or "").strip()[:254])


def webhook_receive(*, tour: Tour, report: ReportedVisit) -> tuple[Visit, bool]:
    """Store a reported visit once per provider visit id; (visit, created)."""
    contact = contact_by_email(office_id=tour.office_id, email=report.email) if report.email else None
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                office_id=tour.office_id,
                tour=tour,
                contact=contact,  # an unknown e-mail is not stored: the visit stays anonymous
                source=Visit.Source.WEBHOOK,
                visit_key=f"wh:{report.visit_id}",
                started_at=report.started_at,
                last_seen_at=report.ended_at,
                rooms=report.rooms,
            )
    except IntegrityError:
        return Visit.objects.get(tour=tour, visit_key=f"wh:{report.visit_id}"), False
    visit_close(visit.pk)
    visit.refresh_from_db()
    return visit, True
