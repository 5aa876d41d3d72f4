"""Reads of the tours app: always scoped by the user's office and the property's visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.properties.selectors import property_visible_q
from maklerwerk.tours.models import Grant, Registration, Tour, Visit

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def tours(*, user: User) -> QuerySet[Tour]:
    return Tour.objects.filter(office=user.office_id).filter(property_visible_q(user, "property"))


def tours_for_property(*, user: User, property_id: int) -> QuerySet[Tour]:
    return tours(user=user).filter(property_id=property_id).select_related("property")


def tour_get(*, user: User, pk: int) -> Tour:
    try:
        return tours(user=user).select_related("property", "office").get(pk=pk)
    except (Tour.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def registration_get(*, user: User, pk: int) -> Registration:
    try:
        return (
            Registration.objects.filter(office=user.office_id)
            .filter(property_visible_q(user, "tour__property"))
            .select_related("tour", "tour__property", "inquiry")
            .get(pk=pk)
        )
    except (Registration.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def grant_get(*, user: User, pk: int) -> Grant:
    try:
        return (
            Grant.objects.filter(office=user.office_id)
            .filter(property_visible_q(user, "tour__property"))
            .select_related("tour", "contact")
            .get(pk=pk)
        )
    except (Grant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def registrations_for_tour(tour: Tour) -> QuerySet[Registration]:
    return tour.registrations.select_related("inquiry", "inquiry__contact").prefetch_related("grants")


def grants_for_tour(tour: Tour) -> QuerySet[Grant]:
    return tour.grants.select_related("contact")


def visits_for_tour(tour: Tour) -> QuerySet[Visit]:
    return tour.visits.select_related("contact")


def for_contact(*, user: User, contact_id: int) -> tuple[QuerySet[Registration], QuerySet[Grant]]:
    regs = (
        Registration.objects.filter(office=user.office_id, inquiry__contact_id=contact_id)
        .filter(property_visible_q(user, "tour__property"))
        .select_related("tour", "tour__property")
    )
    grants = (
        Grant.objects.filter(office=user.office_id, contact_id=contact_id)
        .filter(property_visible_q(user, "tour__property"))
        .select_related("tour", "tour__property")
    )
    return regs, grants


@dataclass
class TourStats:
    visits: int = 0
    anonymous: int = 0
    visitors: int = 0
    seconds: int = 0
    rooms: list[tuple[str, int]] = field(default_factory=list)  # (name, seconds), most first
    contacts: list[tuple[str, int, dict[str, int]]] = field(default_factory=list)  # name, contact id, rooms
    room_keys: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    max_room: int = 1


def tour_stats(tour: Tour) -> TourStats:
    stats = TourStats()
    per_room: dict[str, int] = {}
    names: dict[str, str] = {}
    per_contact: dict[int, tuple[str, dict[str, int]]] = {}
    for visit in visits_for_tour(tour):
        stats.visits += 1
        if visit.contact_id is None:
            stats.anonymous += 1
        for key, entry in visit.rooms.items():
            secs = round(float(entry.get("seconds", 0)))
            per_room[key] = per_room.get(key, 0) + secs
            names[key] = str(entry.get("name") or tour.room_name(key))
            stats.seconds += secs
            if visit.contact_id is not None:
                row = per_contact.setdefault(visit.contact_id, (str(visit.contact), {}))
                row[1][key] = row[1].get(key, 0) + secs
    stats.visitors = len(per_contact) + stats.anonymous
    stats.rooms = sorted(((names[k], s) for k, s in per_room.items()), key=lambda r: -r[1])
    stats.room_keys = [(k, names[k]) for k in sorted(per_room, key=lambda k: -per_room[k])]
    stats.contacts = [(name, pk, rooms) for pk, (name, rooms) in per_contact.items()]
    stats.max_room = max([s for _n, s in stats.rooms] or [1]) or 1
    return stats
