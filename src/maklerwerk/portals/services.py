"""Writes of the portal transfer: portal accounts, assignments of properties, starting transfers.

The transfer itself runs as a job (`portals.transfer`, tasks.py → transfer.py). It starts on
assignment, when a portal is activated (a full transfer), from the "Jetzt übertragen" button, and
from the periodic tick that finds assigned properties changed since their last transfer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.jobs import job_alive, job_start
from maklerwerk.core.models import ChangeLog, Job
from maklerwerk.inquiries.services import portal_listing_record
from maklerwerk.integrations.ftp import client as ftp
from maklerwerk.integrations.is24 import client as is24_client
from maklerwerk.integrations.openimmo.feedback import FeedbackError, PortalError, feedback_parse
from maklerwerk.portals import is24
from maklerwerk.portals.crypto import encrypt
from maklerwerk.portals.models import Is24Connection, Portal, PortalAssignment, TransferEntry, TransferRun
from maklerwerk.portals.transfer import PUBLISHABLE, ftp_target

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.inquiries.parsers.mime import MailContent
    from maklerwerk.properties.models import Property

TRANSFER = "portals.transfer"
PORTAL_FIELDS = (
    "name", "key", "kind", "active", "host", "port", "username", "folder", "passive", "use_tls",
    "anbieternr", "openimmo_anid", "full_transfer", "send_references", "contingent", "picture_limit",
    "picture_max_kb",
    "filename_pattern", "techn_email", "api_url", "consumer_key", "access_token", "send_pdfs",
)  # fmt: skip
SECRETS = ("password_encrypted", "consumer_secret_encrypted", "access_secret_encrypted", "feed_token_hash")


def _portal_snapshot(portal: Portal) -> dict[str, Any]:
    data = snapshot(portal)
    for name in (*SECRETS, "last_status"):
        data.pop(name, None)  # never in the history, not even encrypted
    return data


def _apply(portal: Portal, data: dict[str, Any]) -> None:
    for key in PORTAL_FIELDS:
        if key in data and data[key] is not None:
            setattr(portal, key, data[key])
    if data.get("password"):
        portal.set_password(data["password"])
    portal.set_secrets(
        consumer_secret=data.get("consumer_secret") or None, access_secret=data.get("access_secret") or None
    )
    portal.full_clean(exclude=["office"])
    if portal.kind == Portal.Kind.OPENIMMO_FTP and portal.active and not portal.host:
        raise ValidationError({"host": ["Ohne FTP-Server kann das Portal nicht aktiv sein."]})


@transaction.atomic
def portal_create(*, office: Office, acting_user: User | None, data: dict[str, Any]) -> Portal:
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    portal = Portal(office=office)
    _apply(portal, data)
    if Portal.objects.filter(office=office, key=portal.key).exists():
        raise ValidationError({"key": ["Diesen Kurznamen hat schon ein anderes Portal."]})
    portal.save()
    history_record(
        instance=portal,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE,
        after=_portal_snapshot(portal),
    )
    if portal.active:
        transfer_start(portal=portal, full=True, acting_user=acting_user)
    return portal


@transaction.atomic
def portal_update(*, portal: Portal, acting_user: User | None, data: dict[str, Any]) -> Portal:
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    stored = Portal.objects.get(pk=portal.pk)
    before = _portal_snapshot(stored)
    _apply(portal, data)
    portal.retry_at = None  # new settings may be the fix: the tick need not wait any longer
    if Portal.objects.filter(office_id=portal.office_id, key=portal.key).exclude(pk=portal.pk).exists():
        raise ValidationError({"key": ["Diesen Kurznamen hat schon ein anderes Portal."]})
    portal.save()
    history_record(
        instance=portal,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_portal_snapshot(portal),
    )
    if portal.active and not stored.active:  # activated: everything assigned goes out at once
        transfer_start(portal=portal, full=True, acting_user=acting_user)
    return portal


@transaction.atomic
def portal_delete(*, portal: Portal, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    before = _portal_snapshot(portal)
    history_record(instance=portal, acting_user=acting_user, action=ChangeLog.Action.DELETE, before=before)
    portal.delete()


@transaction.atomic
def portal_feed_token_new(*, portal: Portal, acting_user: User | None) -> str:
    """A new secret for the pull URL of an own-website portal (the old URL stops working); returns
    the token, which is stored only as its hash (shown once)."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    if portal.kind != Portal.Kind.OPENIMMO_PULL:
        raise ApplicationError("Nur ein Portal „Eigene Website (Abruf-URL)“ hat eine Abruf-URL.")
    token = secrets.token_urlsafe(32)
    portal.feed_token_hash = feed_token_hash(token)
    portal.save(update_fields=["feed_token_hash", "updated_at"])
    history_record(instance=portal, acting_user=acting_user, action=ChangeLog.Action.UPDATE,
                   after={"abruf_url": "neu erzeugt"})  # fmt: skip
    return token


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_check(*, portal: Portal, acting_user: User | None) -> str:
    """Test the connection; the answer (or the error) is stored on the portal and returned."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    if portal.kind == Portal.Kind.OPENIMMO_PULL:
        status = "OK: Die Website holt das Paket über die Abruf-URL ab."
        Portal.objects.filter(pk=portal.pk).update(last_status=status)
        portal.last_status = status
        return status
    if portal.kind == Portal.Kind.IS24:
        status = is24.connection_check(portal)
    else:
        try:
            status = "OK: " + ftp.check(ftp_target(portal))
        except ftp.FtpError as exc:
            status = str(exc)
    Portal.objects.filter(pk=portal.pk).update(last_status=status[:200])
    portal.last_status = status[:200]
    return status


# --- assignments ----------------------------------------------------------------------------------


def _withdraw(assignment: PortalAssignment) -> None:
    assignment.wanted = False
    if assignment.online_since is not None:
        assignment.state = PortalAssignment.State.WITHDRAWING
    else:
        assignment.state = PortalAssignment.State.OFFLINE
    assignment.save(update_fields=["wanted", "state", "updated_at"])


@transaction.atomic
def property_portals_set(*, prop: Property, portal_ids: list[int], acting_user: User | None) -> list[Portal]:
    """Assign the property to exactly these portals of its office; the others take it offline.
    Every portal whose assignment changed gets a transfer at once. Returns those portals."""
    ensure_capability(acting_user, Capability.EDIT)
    portals = {p.pk: p for p in Portal.objects.filter(office_id=prop.office_id)}
    unknown = set(portal_ids) - set(portals)
    if unknown:
        raise NotFoundError("Dieses Portal gibt es in Ihrem Büro nicht.")
    existing = {a.portal_id: a for a in PortalAssignment.objects.filter(property=prop)}
    changed: list[Portal] = []
    for pk, portal in portals.items():
        assignment = existing.get(pk)
        if pk in portal_ids and (assignment is None or not assignment.wanted):
            if assignment is None:
                assignment = PortalAssignment(office_id=prop.office_id, portal=portal, property=prop)
            assignment.wanted = True
            if assignment.state != PortalAssignment.State.ONLINE:
                assignment.state = PortalAssignment.State.PENDING
            assignment.save()
            changed.append(portal)
        elif pk not in portal_ids and assignment is not None and assignment.wanted:
            _withdraw(assignment)
            changed.append(portal)
    if changed:
        names = ", ".join(p.name for p in portals.values() if p.pk in portal_ids) or "—"
        history_record(
            instance=prop, acting_user=acting_user, action=ChangeLog.Action.UPDATE, after={"portale": names}
        )
    for portal in changed:
        if portal.active:
            transfer_start(portal=portal, full=False, acting_user=acting_user)
    return changed


@transaction.atomic
def is24_listing_take_over(
    *, portal: Portal, prop: Property, scout_id: str, online: bool, account: str, acting_user: User | None
) -> PortalAssignment:
    """A listing the office already has on ImmobilienScout24 (its old system put it there) is this
    property: the assignment keeps its Scout id and account, so the next transfer updates that
    listing (a full PUT from Maklerwerk's data) instead of creating a second one. Online there and
    publishable here: it counts as online (a later withdrawal takes it down); otherwise it waits,
    and the transfer after the property is activated finds it by its Scout id. Sends nothing."""
    ensure_capability(acting_user, Capability.EDIT)
    if portal.kind != Portal.Kind.IS24 or portal.office_id != prop.office_id:
        raise NotFoundError("Dieses Portal gibt es in Ihrem Büro nicht.")
    assignment = PortalAssignment.objects.filter(portal=portal, property=prop).first()
    assignment = assignment or PortalAssignment(office_id=prop.office_id, portal=portal, property=prop)
    assignment.wanted = True
    assignment.portal_object_id, assignment.expose_url = scout_id, is24.expose_url(scout_id)
    assignment.is24_account = account
    if online and prop.status in PUBLISHABLE:
        assignment.state = PortalAssignment.State.ONLINE
        assignment.online_since = assignment.online_since or timezone.now()
        assignment.last_hash = ""  # Maklerwerk's data has not been sent yet: the next run sends it
        assignment.sent_external_id = prop.external_id
    elif assignment.online_since is None:
        assignment.state = PortalAssignment.State.OFFLINE
    assignment.save()
    portal_listing_record(
        office_id=prop.office_id, property_id=prop.pk, source=is24.SOURCE, portal_id=scout_id
    )
    return assignment


@transaction.atomic
def property_transfer_now(*, prop: Property, acting_user: User | None) -> list[str]:
    """Transfer the property's portals now; the names of the portals that got a transfer."""
    ensure_capability(acting_user, Capability.EDIT)
    portals = Portal.objects.filter(
        active=True, assignments__property=prop, office_id=prop.office_id
    ).exclude(
        assignments__property=prop,
        assignments__state=PortalAssignment.State.OFFLINE,
        assignments__wanted=False,
    )
    names = []
    for portal in portals.distinct():
        transfer_start(portal=portal, full=False, acting_user=acting_user)
        names.append(portal.name)
    return names


@transaction.atomic
def portal_withdraw_all(*, portal: Portal, acting_user: User | None) -> TransferRun | None:
    """ "Alle offline nehmen": every property of the portal is taken offline (a switch of systems)."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    for assignment in PortalAssignment.objects.filter(portal=portal, wanted=True):
        _withdraw(assignment)
    return transfer_start(portal=portal, full=False, acting_user=acting_user) if portal.active else None


# --- transfers ------------------------------------------------------------------------------------


def _busy_run(portal: Portal) -> TransferRun | None:
    """The portal's run that has not started work yet: a new request joins it (one upload at a time)."""
    run = (
        TransferRun.objects.filter(portal=portal, state=TransferRun.State.QUEUED, planned=False)
        .select_related("job")
        .first()
    )
    if run is not None and run.job is not None and job_alive(run.job):
        return run
    return None


def transfer_start(*, portal: Portal, full: bool, acting_user: User | None) -> TransferRun:
    """Queue a transfer of the portal as a job (after the transaction commits)."""
    ensure_capability(acting_user, Capability.EDIT)
    queued = _busy_run(portal)
    if queued is not None and queued.full >= full:
        return queued
    # A pull URL serves one package with everything: a website fetching it needs no history.
    full = full or portal.full_transfer or portal.kind == Portal.Kind.OPENIMMO_PULL
    run = TransferRun.objects.create(
        office_id=portal.office_id, portal=portal, full=full, created_by=acting_user
    )
    job = job_start(
        kind=TRANSFER,
        title=f"Portalübertragung {portal.name}",
        office=portal.office,
        created_by=acting_user,
        run_id=run.pk,
    )
    TransferRun.objects.filter(pk=run.pk).update(job=job)
    run.job = job
    return run


def portals_due() -> list[Portal]:
    """Active portals with work: an assignment waiting, or a property changed since it was sent.
    A portal whose last run stopped on something that passes waits until its `retry_at`."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=30)  # debounce: let an agent finish editing
    waiting = Q(
        state__in=[
            PortalAssignment.State.PENDING,
            PortalAssignment.State.WITHDRAWING,
            PortalAssignment.State.RETRY,
        ]
    )
    changed = Q(state=PortalAssignment.State.ONLINE, property__updated_at__gt=F("last_sent_at"))
    due = (
        PortalAssignment.objects.filter(portal__active=True)
        .exclude(portal__retry_at__gt=now)
        .filter(waiting | changed)
        .filter(Q(property__updated_at__lte=since) | waiting)
        .values_list("portal_id", flat=True)
        .distinct()
    )
    return list(Portal.objects.filter(pk__in=list(due)))


def transfers_tick() -> int:
    """The periodic tick: one partial transfer per portal with work (unless one is queued)."""
    started = 0
    for portal in portals_due():
        if (
            TransferRun.objects.filter(
                portal=portal, state__in=[TransferRun.State.QUEUED, TransferRun.State.RUNNING]
            )
            .filter(job__state__in=[Job.State.QUEUED, Job.State.RUNNING])
            .exists()
        ):
            continue
        with transaction.atomic():
            transfer_start(portal=portal, full=False, acting_user=None)
        started += 1
    return started


# --- portal feedback ------------------------------------------------------------------------------


def _feedback_entry(run: TransferRun, error: PortalError) -> bool:
    """One `fehler` as a log entry of the run, and on the property it names; True when it named one."""
    assignments = PortalAssignment.objects.filter(portal=run.portal).select_related("property")
    found = None
    if error.object_id:
        found = (
            assignments.filter(property__external_id=error.object_id).first()
            or assignments.filter(portal_object_id=error.object_id).first()
        )
    TransferEntry.objects.create(
        run=run,
        property=found.property if found else None,
        external_id=(found.property.external_id if found else error.object_id)[:50],
        action=TransferEntry.Action.FEEDBACK,
        result=TransferEntry.Result.ERROR,
        hint=error.hint[:2000],
    )
    if found is not None:
        found.last_error = error.hint
        found.state = PortalAssignment.State.ERROR
        found.save(update_fields=["last_error", "state", "updated_at"])
    return found is not None


@transaction.atomic
def feedback_attach(*, portal: Portal, data: bytes, acting_user: User | None) -> tuple[TransferRun, int, int]:
    """An OpenImmo-Feedback file of the portal (its import log): every `fehler` becomes a log entry
    of the last uploaded run and the last error of the property it names. Returns (run, errors,
    errors that named a property of this portal)."""
    ensure_capability(acting_user, Capability.EDIT)
    try:
        feedback = feedback_parse(data)
    except FeedbackError as exc:
        raise ApplicationError(str(exc)) from exc
    run = (
        TransferRun.objects.filter(portal=portal, uploaded=True).select_related("portal").first()
        or TransferRun.objects.filter(portal=portal).select_related("portal").first()
    )
    if run is None:
        raise ApplicationError("Dieses Portal hat noch keine Übertragung, zu der die Rückmeldung gehört.")
    matched = sum(_feedback_entry(run, error) for error in feedback.errors)
    return run, len(feedback.errors), matched


def feedback_from_mail(office_id: int, mail: MailContent) -> str | None:
    """A portal's import log that arrived in the inquiry mailbox (an OpenImmo-Feedback XML with a
    `fehlerliste`): attached to the run of the portal it names (its `makler_id` is the portal's
    anbieternr, or its sender is the portal's name; with one OpenImmo portal, that one). Returns the
    German line for the mail's log, or None when the mail is no such file."""
    for att in mail.attachments:
        if (
            not att.data
            or b"fehlerliste" not in att.data
            or not (att.filename.lower().endswith(".xml") or "xml" in att.content_type)
        ):
            continue
        try:
            feedback = feedback_parse(att.data)
        except FeedbackError:
            continue
        portal = _feedback_portal(office_id, feedback.provider_id, feedback.sender)
        if portal is None:
            return (
                f"Rückmeldung eines Portals ({feedback.sender or 'ohne Absender'}): keinem Portal des Büros "
                "zuzuordnen; bitte auf der Übertragungsseite des Portals hochladen."
            )
        try:
            _run, errors, matched = feedback_attach(portal=portal, data=att.data, acting_user=None)
        except ApplicationError as exc:
            return f"Rückmeldung von {portal.name}: {exc}"
        return (
            f"Rückmeldung von {portal.name} an die Übertragung angehängt: {errors} Fehler, "
            f"davon {matched} bei Objekten."
        )
    return None


# Subjects of the protocols portals mail to the `techn_email` ("Importprotokoll", "Ergebnis der
# Verarbeitung", "Import report"); a mail without one of these words is never taken.
IMPORT_LOG_WORDS = ("import", "protokoll", "einspiel", "verarbeitung", "übertragung")
ERROR_WORDS = ("fehler", "error", "abgelehnt", "ungültig", "fehlt", "nicht importiert", "rejected")
TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]|[A-Za-z0-9]")


@transaction.atomic
def import_log_from_mail(office_id: int, mail: MailContent) -> str | None:
    """A portal's import protocol as plain text (what portals mail to the `techn_email`): taken
    when its subject says so and exactly one OpenImmo portal of the office is its sender (name or
    key in the sender) or is named by its anbieternr. Each line naming a Kennung of the portal's
    properties goes to the last uploaded run and, when it reports an error, to the property's last
    error. Returns the German line for the mail's log, or None (the mail stays for a person)."""
    if not any(word in mail.subject.lower() for word in IMPORT_LOG_WORDS):
        return None
    text = mail.text[:200_000]
    tokens = set(TOKEN_RE.findall(text))
    sender = f"{mail.sender_name} {mail.sender}".lower()
    portals = Portal.objects.filter(office_id=office_id).exclude(kind=Portal.Kind.IS24)
    named = [
        p
        for p in portals
        if (p.key and p.key.lower() in sender)
        or p.name.lower() in sender
        or (p.anbieternr and p.anbieternr in tokens)
    ]
    if len(named) != 1:
        return None
    portal = named[0]
    run = TransferRun.objects.filter(portal=portal, uploaded=True).first()
    if run is None:
        return f"Importprotokoll von {portal.name}: noch keine Übertragung, zu der es gehört."
    assignments = PortalAssignment.objects.filter(
        portal=portal, property__external_id__in=tokens
    ).select_related("property")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = 0
    for a in assignments:
        ident = re.compile(rf"(?<![A-Za-z0-9]){re.escape(a.property.external_id)}(?![A-Za-z0-9])")
        said = " / ".join(line for line in lines if ident.search(line))
        failed = any(word in said.lower() for word in ERROR_WORDS)
        hint = f"Importprotokoll von {portal.name}: {said}"[:2000]
        TransferEntry.objects.create(
            run=run, property=a.property, external_id=a.property.external_id[:50],
            action=TransferEntry.Action.FEEDBACK,
            result=TransferEntry.Result.ERROR if failed else TransferEntry.Result.OK, hint=hint,
        )  # fmt: skip
        if failed:
            errors += 1
            a.last_error, a.state = hint, PortalAssignment.State.ERROR
            a.save(update_fields=["last_error", "state", "updated_at"])
    return (
        f"Importprotokoll von {portal.name} an die Übertragung angehängt: {len(assignments)} Objekte "
        f"genannt, davon {errors} mit Fehler."
    )


def _feedback_portal(office_id: int, provider_id: str, sender: str) -> Portal | None:
    portals = list(Portal.objects.filter(office_id=office_id).exclude(kind=Portal.Kind.IS24))
    if provider_id:
        by_number = [p for p in portals if p.anbieternr and p.anbieternr == provider_id]
        if len(by_number) == 1:
            return by_number[0]
    name = sender.lower()
    by_name = [p for p in portals if name and (p.key.lower() in name or p.name.lower() in name)]
    if len(by_name) == 1:
        return by_name[0]
    return portals[0] if len(portals) == 1 else None


# --- IS24 connect per user ------------------------------------------------------------------------


def is24_connect_start(*, portal: Portal, user: User, callback: str) -> tuple[str, str, str]:
    """Start "Mit ImmobilienScout24 verbinden" for `user`: (request token, its secret, the IS24 page
    where the user confirms). The caller keeps token and secret (the session) for the return."""
    ensure_capability(user, Capability.EDIT)
    if portal.kind != Portal.Kind.IS24 or not portal.consumer_key:
        raise ApplicationError(
            "Für dieses Portal fehlt der Consumer Key des Büros (Einstellungen → Portale)."
        )
    try:
        return is24_client.connect_start(
            portal.api_url, portal.consumer_key, portal.get_secret("consumer"), callback
        )
    except is24_client.Is24Error as exc:
        raise ApplicationError(exc.message) from exc


@transaction.atomic
def is24_connect_finish(
    *, portal: Portal, user: User, token: str, secret: str, verifier: str
) -> Is24Connection:
    """The user confirmed at IS24: their own access token is stored (encrypted); from now on their new
    listings go to their account."""
    ensure_capability(user, Capability.EDIT)
    try:
        access, access_secret = is24_client.connect_finish(
            portal.api_url, portal.consumer_key, portal.get_secret("consumer"), token, secret, verifier
        )
    except is24_client.Is24Error as exc:
        raise ApplicationError(exc.message) from exc
    connection, _created = Is24Connection.objects.update_or_create(
        portal=portal,
        user=user,
        defaults={
            "office_id": portal.office_id,
            "access_token": access,
            "access_secret_encrypted": encrypt(access_secret),
        },
    )
    history_record(instance=portal, acting_user=user, action=ChangeLog.Action.UPDATE,
                   after={"is24_konto": f"{user.get_full_name() or user.username} verbunden"})  # fmt: skip
    return connection


@transaction.atomic
def is24_disconnect(*, portal: Portal, user: User) -> bool:
    """Forget the user's own IS24 token; their listings already there stay in that account."""
    ensure_capability(user, Capability.EDIT)
    deleted, _rows = Is24Connection.objects.filter(portal=portal, user=user).delete()
    return bool(deleted)
