"""Reminders before appointments and the daily agenda mail, sent by the periodic job.

Each mail is claimed first (a `ReminderClaim` row with a unique key) and sent after the claim has
committed: a second run, a second worker or a job resumed after its worker died finds the claim and
sends nothing. A mail whose worker died between claim and send is therefore never repeated ("at most
once"); the claim keeps the error of a refused send.

Levels: the office sets two reminders (default 24 h and 2 h before). An appointment is reminded by
the level whose window it is in (the later level wins, so a worker that was down does not send
both at once); an appointment booked or created inside a level's window gets no reminder of that
level (its confirmation is fresh). A moved appointment (SEQUENCE counted up) is reminded again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.models import Office, User
from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments import invitations, selectors
from maklerwerk.appointments.models import Appointment, AppointmentSettings, ReminderClaim
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import MailContext, contact_email
from maklerwerk.mailing.sending import mail_send
from maklerwerk.mailing.services import template_default

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

OPEN = [Appointment.Status.PLANNED, Appointment.Status.CONFIRMED]


def settings_for(office: Office | int) -> AppointmentSettings:
    office_id = office if isinstance(office, int) else office.pk
    cfg, _created = AppointmentSettings.objects.get_or_create(office_id=office_id)
    return cfg


@dataclass(frozen=True)
class Level:
    key: str  # "first" / "second": part of the claim key, never renamed
    hours: int
    next_hours: int  # the later level's hours (0: none); the window is (next_hours, hours]


def levels(cfg: AppointmentSettings) -> list[Level]:
    active = sorted(
        [
            (h, k)
            for k, h in (("first", cfg.first_reminder_hours), ("second", cfg.second_reminder_hours))
            if h
        ],
        reverse=True,
    )
    return [
        Level(key, hours, active[i + 1][0] if i + 1 < len(active) else 0)
        for i, (hours, key) in enumerate(active)
    ]


@dataclass(frozen=True)
class Recipient:
    key: str  # "u<pk>" or "c<pk>"
    email: str
    user: User | None = None
    contact: Contact | None = None


def _recipients(appointment: Appointment, cfg: AppointmentSettings) -> Iterator[Recipient]:
    if cfg.remind_agents:
        agents = [appointment.responsible, *appointment.users.all()]
        for agent in dict.fromkeys(a for a in agents if a is not None):
            if agent.is_active and agent.email:
                yield Recipient(f"u{agent.pk}", agent.email, user=agent)
    if cfg.remind_contacts:
        for contact in appointment.contacts.all():
            email = contact_email(contact)
            if email:
                yield Recipient(f"c{contact.pk}", email, contact=contact)


def claim(
    *, office_id: int, key: str, to_email: str, appointment_id: int | None = None
) -> ReminderClaim | None:
    """The claim of one mail, committed before it is sent; None if someone claimed it already."""
    try:
        with transaction.atomic():
            return ReminderClaim.objects.create(
                office_id=office_id, key=key, to_email=to_email, appointment_id=appointment_id
            )
    except IntegrityError:
        return None


def _send_claimed(row: ReminderClaim, send: Callable[[], object]) -> bool:
    try:
        send()
    except (ApplicationError, SmtpError) as exc:
        row.error = invitations.reason_of(exc)[:500]
        row.save(update_fields=["error"])
        return False
    row.sent_at = timezone.now()
    row.save(update_fields=["sent_at"])
    return True


def _remind(appointment: Appointment, level: Level, recipient: Recipient) -> bool | None:
    """Claim and send one reminder; None if it was claimed before."""
    key = f"{level.key}:a{appointment.pk}:s{appointment.sequence}:{recipient.key}"
    row = claim(
        office_id=appointment.office_id, key=key, to_email=recipient.email, appointment_id=appointment.pk
    )
    if row is None:
        return None
    key = invitations.KEYS.REMINDER_AGENT if recipient.user is not None else invitations.KEYS.REMINDER

    def send() -> object:
        return invitations.appointment_mail(
            appointment=appointment,
            key=key,
            to_email=recipient.email,
            contact=recipient.contact,
            acting_user=None,
        )

    return _send_claimed(row, send)


def _due(office_id: int, level: Level, now: dt.datetime) -> Iterator[Appointment]:
    qs = (
        Appointment.objects.filter(
            office_id=office_id,
            status__in=OPEN,
            all_day=False,
            starts_at__gt=now + dt.timedelta(hours=level.next_hours),
            starts_at__lte=now + dt.timedelta(hours=level.hours),
        )
        .select_related("office", "responsible", "property")
        .prefetch_related("contacts", "users")
        .order_by("starts_at", "pk")
    )
    for appointment in qs:
        # Created (booked) inside this level's window: the confirmation is fresh, no reminder.
        if appointment.created_at < appointment.starts_at - dt.timedelta(hours=level.hours):
            yield appointment


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by an earlier run

    def count(self, result: bool | None) -> None:
        if result is None:
            self.skipped += 1
        elif result:
            self.sent += 1
        else:
            self.failed += 1


def reminders_send(*, now: dt.datetime | None = None) -> Outcome:
    """Send every reminder that is due now and not yet claimed, in every office."""
    now = now or timezone.now()
    out = Outcome()
    for office_id in Office.objects.order_by("pk").values_list("pk", flat=True):
        cfg = settings_for(office_id)
        for level in levels(cfg):
            for appointment in _due(office_id, level, now):
                for recipient in _recipients(appointment, cfg):
                    out.count(_remind(appointment, level, recipient))
    return out


# --- the daily agenda ---------------------------------------------------------------------------


def agenda_of(user: User, day: dt.date) -> list[Appointment]:
    """The user's open appointments on `day` (local time), as the calendar shows them to the user."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    qs = selectors.appointment_list(user=user, start=start, end=end, responsible_id=user.pk)
    return list(qs.filter(status__in=OPEN).prefetch_related("contacts"))


def _agenda_list(items: list[Appointment]) -> str:
    lines = []
    for a in items:
        start, end = timezone.localtime(a.starts_at), timezone.localtime(a.ends_at)
        time = _("all day") if a.all_day else f"{start:%H:%M}–{end:%H:%M}"
        lines.append(f"{time}  {a}")
        names = ", ".join(c.display_name for c in a.contacts.all())
        for part in (a.location, names):
            if part:
                lines.append(f"    {part}")
    return "\n".join(lines)


def agenda_send(user: User, office: Office, day: dt.date) -> bool | None:
    """Claim and send the user's agenda of `day`; nothing on an empty day (None), nor twice."""
    items = agenda_of(user, day)
    if not items:
        return None
    row = claim(office_id=office.pk, key=f"agenda:u{user.pk}:{day.isoformat()}", to_email=user.email)
    if row is None:
        return None
    template = template_default(office=office, key=invitations.KEYS.AGENDA)
    ctx = MailContext(office=office, acting_user=None, agent_user=user)
    ctx.extra.update(
        {
            "termin.tag": f"{day:%d.%m.%Y}",
            "termin.anzahl": str(len(items)),
            "termin.liste": _agenda_list(items),
            "termin.link": absolute_url(reverse("appointments:calendar"), office=office.pk),
        }
    )

    def send() -> object:
        return mail_send(office=office, ctx=ctx, to_email=user.email, acting_user=None, template=template)

    return _send_claimed(row, send)


def agendas_send(*, now: dt.datetime | None = None) -> Outcome:
    """The agenda of today to every agent of every office whose agenda time has come."""
    local = timezone.localtime(now or timezone.now())
    out = Outcome()
    for office in Office.objects.order_by("pk"):
        cfg = settings_for(office)
        if not cfg.agenda_enabled or local.time() < cfg.agenda_time:
            continue
        users = User.objects.filter(office=office, is_active=True).exclude(email="").select_related("office")
        for user in users.order_by("pk"):
            result = agenda_send(user, office, local.date())
            if result is not None:
                out.count(result)
    return out


@transaction.atomic
def settings_save(*, office: Office, acting_user: User, values: dict[str, object]) -> AppointmentSettings:
    """The office's reminder and agenda settings (administrators only)."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    cfg = settings_for(office)
    before = snapshot(AppointmentSettings.objects.get(pk=cfg.pk))
    for key, value in values.items():
        setattr(cfg, key, value)
    cfg.full_clean()
    cfg.save()
    history_record(instance=cfg, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE)
    return cfg
