"""One transfer run, step by step, each step safe to repeat (a killed worker's job is resumed).

1. plan + package (one transaction): per assignment the action (new/change/delete/unchanged, or
   refused with a hint), one `TransferEntry` each; for OpenImmo the ZIP is written to the run's
   file. A run killed here rolls back and plans again.
2. send: OpenImmo uploads the stored ZIP under the run's fixed name (a repeat replaces the same
   file); IS24 sends entry by entry and marks each one done, so a resumed run skips what went out.
3. apply: the entries' results move the assignments (online since, hash, last error).

A run stopped by something that passes (FTP server unreachable or full, IS24's rate limit or a 5xx)
fails with `Stop.retry`: its waiting assignments show "Erneuter Versuch geplant", the portal's
`retry_at` holds the periodic tick back (IS24's `Retry-After`, else 5 minutes doubling per failed
run, at most an hour), and the next run plans afresh, so what went out is not sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.integrations.ftp import client as ftp
from maklerwerk.integrations.openimmo import mapping, writer
from maklerwerk.portals import is24
from maklerwerk.portals.exporters import openimmo
from maklerwerk.portals.models import Portal, PortalAssignment, TransferEntry, TransferRun
from maklerwerk.portals.stop import Stop
from maklerwerk.properties.models import Property

logger = logging.getLogger(__name__)

PUBLISHABLE = (Property.Status.ACTIVE, Property.Status.RESERVED)
Action = TransferEntry.Action
ACTION_CODES: dict[str, str] = {
    Action.NEW: mapping.ACTION_NEW,
    Action.CHANGE: mapping.ACTION_CHANGE,
    Action.DELETE: "DELETE",
    Action.REFERENCE: mapping.ACTION_REFERENZ,
}


PLAN_MARGIN = dt.timedelta(minutes=2)
RETRY_BASE = 300.0
RETRY_MAX = 3600.0


@dataclass
class Planned:
    assignment: PortalAssignment
    entry: TransferEntry


def _decide(run: TransferRun, a: PortalAssignment, published: int) -> tuple[str, str, str]:
    """(action, hint, hash) for one assignment; `published` counts listings already planned online."""
    prop = a.property
    portal = run.portal
    if a.wanted and prop.status == Property.Status.CLOSED and portal.takes_references:
        return _decide_reference(run, a)
    if not (a.wanted and prop.status in PUBLISHABLE):
        return (Action.DELETE if a.online_since else "", "", "")
    problems = openimmo.preflight(prop)
    if problems:
        return Action.REFUSED, " ".join(problems), ""
    if portal.contingent is not None and published >= portal.contingent:
        hint = _("Contingent of %(n)s listings exceeded: not sent.") % {"n": portal.contingent}
        return Action.REFUSED, hint, ""
    digest = _digest(run, prop)
    if a.online_since is None:
        return Action.NEW, "", digest
    if digest != a.last_hash or run.full or a.state == PortalAssignment.State.REFERENCE:
        return Action.CHANGE, "", digest  # a reference on sale again is a listing again
    return Action.UNCHANGED, "", digest


def _digest(run: TransferRun, prop: Property) -> str:
    channel = openimmo.channel_of(run.portal)  # what this portal gets (e.g. a tour's link or not)
    pics = openimmo.pictures(prop, run.portal.picture_limit, channel)
    return openimmo.data_hash(openimmo.listing_for(prop, mapping.ACTION_CHANGE, pics, channel))


def _decide_reference(run: TransferRun, a: PortalAssignment) -> tuple[str, str, str]:
    """A sold or let property on a portal that takes references: REFERENZ once (and again when its
    data change); it does not count against the contingent."""
    problems = openimmo.preflight(a.property)
    if problems:
        return Action.REFUSED, " ".join(problems), ""
    digest = _digest(run, a.property)
    if a.state == PortalAssignment.State.REFERENCE and digest == a.last_hash and not run.full:
        return Action.UNCHANGED, "", digest
    return Action.REFERENCE, "", digest


def _watermark(run: TransferRun) -> dt.datetime | None:
    """Properties changed after this need a look in a partial run: the planning time of the
    portal's last successful run, less a margin for transactions that were still open then (a
    property saved in one of them carries an earlier `updated_at` but was not visible yet). None:
    no such run, every assignment is planned."""
    last = (
        TransferRun.objects.filter(
            portal=run.portal, state=TransferRun.State.SUCCEEDED, planned_at__isnull=False
        )
        .exclude(pk=run.pk)
        .order_by("-planned_at")
        .values_list("planned_at", flat=True)
        .first()
    )
    return last - PLAN_MARGIN if last else None


def _candidates(run: TransferRun) -> tuple[QuerySet[PortalAssignment], int]:
    """The assignments to plan and how many listings are online besides them (for the contingent).

    A full run plans every assignment. A partial run plans only what may have changed, found through
    indexes, so its cost follows the changes, not the portfolio: assignments not at rest (waiting,
    being withdrawn, retry, error: index portal+state) and those whose property changed after the
    watermark (index office+updated_at). A listing at rest whose property did not change would plan
    to "unchanged" anyway."""
    base = PortalAssignment.objects.filter(portal=run.portal).exclude(
        state=PortalAssignment.State.OFFLINE, wanted=False
    )
    watermark = None if run.full else _watermark(run)
    if watermark is not None:
        at_rest = (
            PortalAssignment.State.ONLINE,
            PortalAssignment.State.REFERENCE,
            PortalAssignment.State.OFFLINE,
        )
        changed = Property.objects.filter(office_id=run.office_id, updated_at__gt=watermark).values("pk")
        ids = set(base.exclude(state__in=at_rest).values_list("pk", flat=True))
        ids |= set(base.filter(property_id__in=changed).values_list("pk", flat=True))
        online = 0
        if run.portal.contingent is not None:
            online = base.filter(state=PortalAssignment.State.ONLINE).exclude(pk__in=ids).count()
        base = base.filter(pk__in=ids)
    else:
        online = 0
    assignments = base.select_related("property", "property__office", "property__responsible_agent").order_by(
        "pk"
    )
    return assignments, online


def _plan(run: TransferRun) -> list[Planned]:
    run.entries.all().delete()
    assignments, published = _candidates(run)
    planned = []
    for a in assignments:
        action, hint, digest = _decide(run, a, published)
        if not action:
            if a.state != PortalAssignment.State.OFFLINE:
                PortalAssignment.objects.filter(pk=a.pk).update(state=PortalAssignment.State.OFFLINE)
            continue
        published += action in (Action.NEW, Action.CHANGE) or (
            action == Action.UNCHANGED and a.state != PortalAssignment.State.REFERENCE
        )
        entry = TransferEntry.objects.create(
            run=run,
            property=a.property,
            external_id=a.property.external_id,
            action=action,
            data_hash=digest,
            hint=hint,
            result=TransferEntry.Result.ERROR if action == Action.REFUSED else TransferEntry.Result.PENDING,
        )
        planned.append(Planned(a, entry))
    return planned


def _package_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "portals" / "packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _to_send(run: TransferRun, planned: list[Planned]) -> list[Planned]:
    sent = (Action.NEW, Action.CHANGE, Action.DELETE, Action.REFERENCE) + (
        (Action.UNCHANGED,) if run.full else ()
    )
    return [p for p in planned if p.entry.action in sent]


def package_write(run: TransferRun, planned: list[Planned], target: Path) -> int:
    portal = run.portal
    name = Path(run.package_name).with_suffix(".xml").name
    header = openimmo.transfer_header(portal, run.created_at, full=run.full)

    def items() -> Iterator[tuple[writer.Listing, list[openimmo.Picture]]]:
        for p in _to_send(run, planned):
            prop = p.assignment.property
            code = ACTION_CODES.get(p.entry.action, mapping.ACTION_CHANGE)
            if p.entry.action == Action.UNCHANGED and p.assignment.state == PortalAssignment.State.REFERENCE:
                code = mapping.ACTION_REFERENZ  # a full package repeats a reference as one
            channel = openimmo.channel_of(portal)
            pics = [] if code == "DELETE" else openimmo.pictures(prop, portal.picture_limit, channel)
            yield openimmo.listing_for(prop, code, pics, channel), pics

    with target.open("wb") as out:
        return openimmo.write_package(out, header, name, items(), portal.picture_max_kb)


def _unique_name(run: TransferRun) -> str:
    """The package's file name; a second run in the same second takes the next second, so no
    package overwrites one the portal has not imported yet."""
    when = run.created_at
    others = TransferRun.objects.filter(portal=run.portal).exclude(pk=run.pk)
    name = openimmo.package_name(run.portal, when)
    for _step in range(120):
        if not others.filter(package_name=name).exists():
            break
        when += dt.timedelta(seconds=1)
        name = openimmo.package_name(run.portal, when)
    return name


@transaction.atomic
def _plan_and_package(run: TransferRun) -> None:
    run = TransferRun.objects.select_for_update().select_related("portal", "portal__office").get(pk=run.pk)
    if run.planned:
        return
    run.planned_at = timezone.now()  # before reading: what changes from now on is the next run's
    planned = _plan(run)
    run.package_name = _unique_name(run)
    # The pull URL always serves the newest package, so a pull portal gets one even when empty.
    pull = run.portal.kind == Portal.Kind.OPENIMMO_PULL
    if run.portal.writes_packages and (pull or _to_send(run, planned)):
        target = _package_dir() / f"run-{run.pk}-{run.package_name}"
        package_write(run, planned, target)
        run.package.name = str(target.relative_to(settings.MEDIA_ROOT))
    run.planned = True
    run.save(update_fields=["planned", "planned_at", "package", "package_name"])


def _fail_pending(run: TransferRun, stop: Stop) -> set[int]:
    """Mark what did not go out with the stop's message; the entries' ids."""
    pending = run.entries.filter(result=TransferEntry.Result.PENDING)
    entry_ids = set(pending.values_list("pk", flat=True))
    ids = list(pending.values_list("property_id", flat=True))
    pending.update(result=TransferEntry.Result.ERROR, hint=stop.message)
    assignments = PortalAssignment.objects.filter(portal=run.portal, property_id__in=ids)
    assignments.update(last_error=stop.message)
    waiting = (PortalAssignment.State.PENDING, PortalAssignment.State.RETRY)
    assignments.filter(state__in=waiting).update(
        state=PortalAssignment.State.RETRY if stop.retry else PortalAssignment.State.ERROR
    )
    return entry_ids


def _retry_delay(run: TransferRun, stop: Stop) -> float:
    """Seconds until the tick tries again: the portal's wish, else backing off per failed run."""
    if stop.retry_after:
        return stop.retry_after
    failed = 0
    for state in TransferRun.objects.filter(portal=run.portal, pk__lt=run.pk).values_list("state", flat=True)[
        :6
    ]:
        if state != TransferRun.State.FAILED:
            break
        failed += 1
    return min(RETRY_MAX, RETRY_BASE * 2**failed)


def ftp_target(portal: Portal) -> ftp.FtpTarget:
    return ftp.FtpTarget(
        host=portal.host,
        port=portal.port,
        user=portal.username,
        password=portal.get_password(),
        folder=portal.folder,
        passive=portal.passive,
        tls=portal.use_tls,
    )


def _send_openimmo(run: TransferRun) -> Stop | None:
    """Upload the package; why it did not go out, or None on success."""
    if run.uploaded or not run.package:
        return None
    if run.portal.kind == Portal.Kind.OPENIMMO_PULL:  # the website fetches it from the pull URL
        TransferRun.objects.filter(pk=run.pk).update(uploaded=True)
        return None
    try:
        ftp.upload(ftp_target(run.portal), Path(run.package.path), run.package_name)
    except ftp.FtpError as exc:
        return Stop(str(exc), retry=not exc.permanent)
    TransferRun.objects.filter(pk=run.pk).update(uploaded=True)
    return None


def _apply_entry(entry: TransferEntry, now: dt.datetime) -> None:
    a = (
        PortalAssignment.objects.filter(portal_id=entry.run.portal_id, property=entry.property_id)
        .select_related("portal")
        .first()
    )
    if a is None:
        return
    if entry.action == Action.REFUSED:
        a.state, a.last_error = PortalAssignment.State.ERROR, entry.hint
    elif entry.result != TransferEntry.Result.OK:
        a.last_error = entry.hint
        if a.state in (PortalAssignment.State.PENDING, PortalAssignment.State.RETRY):
            a.state = PortalAssignment.State.ERROR
    elif entry.action == Action.DELETE:
        a.state, a.online_since, a.last_hash = PortalAssignment.State.OFFLINE, None, ""
        a.last_action, a.last_sent_at, a.last_error = entry.action, now, ""
        a.portal_object_id, a.expose_url = "", ""
    else:
        reference = entry.action == Action.REFERENCE or (
            entry.action == Action.UNCHANGED and a.state == PortalAssignment.State.REFERENCE
        )
        a.state = PortalAssignment.State.REFERENCE if reference else PortalAssignment.State.ONLINE
        a.online_since = a.online_since or now
        a.last_hash, a.last_sent_at, a.last_error = entry.data_hash, now, ""
        a.sent_external_id = entry.external_id
        if entry.portal_object_id:
            a.portal_object_id = entry.portal_object_id
            a.expose_url = (
                is24.expose_url(entry.portal_object_id) if a.portal.kind == Portal.Kind.IS24 else ""
            )
        if entry.action != Action.UNCHANGED:
            a.last_action = entry.action
    a.save()


def _portal_retry(run: TransferRun, stop: Stop | None, now: dt.datetime) -> str:
    """Hold the tick back after a stop that may pass; the sentence that says until when."""
    retry_at = now + dt.timedelta(seconds=_retry_delay(run, stop)) if stop and stop.retry else None
    Portal.objects.filter(pk=run.portal_id).update(retry_at=retry_at)
    if retry_at is None:
        return ""
    return " " + _("Next attempt from %(time)s.") % {"time": f"{timezone.localtime(retry_at):%H:%M}"}


@transaction.atomic
def _apply(run: TransferRun, stop: Stop | None) -> TransferRun:
    now = timezone.now()
    stopped: set[int] = set()
    if stop is None:
        run.entries.filter(result=TransferEntry.Result.PENDING).update(result=TransferEntry.Result.OK)
    else:
        stopped = _fail_pending(run, stop)
    for entry in run.entries.select_related("run"):
        if entry.pk not in stopped:  # those were moved by the stop already
            _apply_entry(entry, now)
    counts = {a: run.entries.filter(action=a).count() for a in Action.values}
    sent = counts[Action.NEW] + counts[Action.CHANGE] + counts[Action.DELETE] + counts[Action.REFERENCE]
    summary = _("%(new)s new, %(change)s updated, %(delete)s deleted, %(refused)s not sent") % {
        "new": counts[Action.NEW],
        "change": counts[Action.CHANGE],
        "delete": counts[Action.DELETE],
        "refused": counts[Action.REFUSED],
    }
    if counts[Action.REFERENCE]:
        summary += ", " + _("%(n)s as reference") % {"n": counts[Action.REFERENCE]}
    if stop is None and not sent and not run.full:
        summary = _("No changes to send.") + (f" ({summary})" if counts[Action.REFUSED] else "")
    retry = _portal_retry(run, stop, now)
    run.state = TransferRun.State.FAILED if stop else TransferRun.State.SUCCEEDED
    run.message = (stop.message + retry if stop else summary)[:500]
    run.finished_at = now
    run.save(update_fields=["state", "message", "finished_at"])
    return run


def transfer_execute(*, run_id: int) -> TransferRun:
    """Run (or resume) the transfer `run_id`. Returns the finished run."""
    run = TransferRun.objects.select_related("portal", "portal__office").get(pk=run_id)
    if run.state in (TransferRun.State.SUCCEEDED, TransferRun.State.FAILED):
        return run
    TransferRun.objects.filter(pk=run.pk).update(state=TransferRun.State.RUNNING)
    _plan_and_package(run)
    run.refresh_from_db()
    stop = is24.send_entries(run) if run.portal.kind == Portal.Kind.IS24 else _send_openimmo(run)
    return _apply(run, stop)
