"""Process manager (Prozessmanager): follow-up steps that start with a trigger and run once each.

A running `ProcessInstance` points at its next step (`position`). To run a step, a worker moves
`position` on with a conditional UPDATE (the claim) inside the transaction that also does the
step's database work (task, tag, interest status) and writes the unique `ProcessStepRun`, so a
step happens exactly once across restarts and any number of workers. A mail step sends after its
claim committed: a crash between the two loses that one mail rather than sending it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from maklerwerk.contacts.services import contacts_tag
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.inquiries.models import (
    InquirySettings,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessStepRun,
)
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import MailContext, contact_email
from maklerwerk.mailing.sending import MailActivity, mail_send, mailer_pool
from maklerwerk.mailing.services import mail_render, smtp_reason, template_check
from maklerwerk.properties.models import PropertyContact
from maklerwerk.properties.selectors import prospect_link_get
from maklerwerk.properties.services import property_prospect_ensure
from maklerwerk.tasks.services import task_create

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.inquiries.models import Inquiry

logger = logging.getLogger(__name__)

DEFAULT_PROCESSES: list[dict[str, Any]] = [
    {
        "name": "Nachfassen nach Exposé-Versand",
        "trigger": ProcessDefinition.Trigger.EXPOSE_SENT,
        "steps": [
            {"kind": "wait", "params": {"days": 3}},
            {
                "kind": "create_task",
                "params": {"title": "Nachfassen: {{ kontakt.name }} zu {{ objekt.titel }}", "due_days": 0},
            },
        ],
    },
    {
        "name": "Neue Adresse aus Anfrage",
        "trigger": ProcessDefinition.Trigger.CONTACT_CREATED,
        "steps": [
            {"kind": "add_tag", "params": {"tag": "Anfrage"}},
        ],
    },
]


def processes_install_defaults(*, office: Office) -> None:
    """Create the shipped processes once per office (the office may change or delete them later)."""
    cfg, _ = InquirySettings.objects.get_or_create(office=office)
    if cfg.processes_installed:
        return
    with transaction.atomic():
        if not InquirySettings.objects.filter(pk=cfg.pk, processes_installed=False).update(
            processes_installed=True
        ):
            return
        for spec in DEFAULT_PROCESSES:
            definition_create(office=office, acting_user=None, data=spec)


# The placeholders of process texts before the one placeholder language (migrated in
# inquiries/0003); a text that still uses one is refused with the new spelling.
OLD_PLACEHOLDERS = {
    "{contact}": "{{ kontakt.name }}",
    "{property}": "{{ objekt.titel }}",
    "{external_id}": "{{ objekt.kennung }}",
}

# The text a new step starts with in the editor (the office changes it there).
STEP_DEFAULTS: dict[str, str] = {
    "subject": "Ihre Anfrage zu {{ objekt.titel }}",
    "body": (
        "{{ kontakt.briefanrede }},\n\n"
        "haben Sie das Exposé zu „{{ objekt.titel }}“ erhalten? Gern beantworte ich Ihre Fragen "
        "oder vereinbare einen Besichtigungstermin mit Ihnen.\n\n"
        "Mit freundlichen Grüßen\n\n{{ makler.name }}\n{{ buero.name }}"
    ),
    "title": "Nachfassen: {{ kontakt.name }} zu {{ objekt.titel }}",
}

# Parameters each step kind takes (see ProcessStep); the editor shows just these.
STEP_PARAMS: dict[str, tuple[str, ...]] = {
    ProcessStep.Kind.WAIT: ("days", "hours"),
    ProcessStep.Kind.SEND_MAIL: ("subject", "body"),
    ProcessStep.Kind.CREATE_TASK: ("title", "due_days"),
    ProcessStep.Kind.SET_INTEREST_STATUS: ("status",),
    ProcessStep.Kind.ADD_TAG: ("tag",),
}
MAX_WAIT_DAYS = 365


def step_clean(kind: Any, params: Any, position: int) -> dict[str, Any]:
    """A step's parameters checked and normalised; a German error naming the step otherwise."""

    def fail(message: str) -> ApplicationError:
        extra = {"field": "steps", "step": position}
        return ApplicationError(f"Schritt {position + 1}: {message}", extra=extra)

    if kind not in ProcessStep.Kind.values:
        raise fail(f"unbekannter Schritt „{kind}“.")
    params = params if isinstance(params, dict) else {}

    def number(name: str, label: str) -> int | float:
        raw = params.get(name)
        if raw in (None, ""):
            return 0
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            raise fail(f"{label} muss eine Zahl sein.") from None
        if not 0 <= value <= MAX_WAIT_DAYS * 24:
            raise fail(f"{label} muss zwischen 0 und {MAX_WAIT_DAYS} Tagen liegen.")
        return int(value) if value.is_integer() else value

    def text(name: str, label: str, limit: int) -> str:
        value = str(params.get(name) or "").strip()
        if not value:
            raise fail(f"{label} fehlt.")
        if len(value) > limit:
            raise fail(f"{label} ist zu lang (höchstens {limit} Zeichen).")
        return value

    if kind == ProcessStep.Kind.WAIT:
        days, hours = number("days", "Tage"), number("hours", "Stunden")
        if days > MAX_WAIT_DAYS:
            raise fail(f"höchstens {MAX_WAIT_DAYS} Tage warten.")
        if days + hours <= 0:
            raise fail("Wie lange warten? Tage oder Stunden fehlen.")
        return {"days": days, "hours": hours} if hours else {"days": days}

    def template(name: str, label: str, limit: int) -> str:
        value = text(name, label, limit)
        for old, new in OLD_PLACEHOLDERS.items():
            if old in value:  # the syntax before the one placeholder language: say what to write
                raise fail(f"{label}: „{old}“ gibt es nicht mehr, bitte „{new}“ schreiben.")
        problems = template_check(
            subject=value if name != "body" else "", body=value if name == "body" else ""
        )
        if problems:
            raise fail(f"{label}: {problems[0]}")
        return value

    if kind == ProcessStep.Kind.SEND_MAIL:
        return {"subject": template("subject", "Betreff", 200), "body": template("body", "Text", 10_000)}
    if kind == ProcessStep.Kind.CREATE_TASK:
        due = number("due_days", "Fällig nach (Tage)")
        return {"title": template("title", "Titel der Aufgabe", 300), "due_days": due}
    if kind == ProcessStep.Kind.SET_INTEREST_STATUS:
        status = params.get("status")
        if status not in PropertyContact.InterestStatus.values:
            raise fail("Interessenstatus fehlt oder ist unbekannt.")
        return {"status": status}
    return {"tag": text("tag", "Schlagwort", 100)}


def _definition_values(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    if data.get("trigger") not in ProcessDefinition.Trigger.values:
        raise ApplicationError("Unbekannter Auslöser.", extra={"field": "trigger"})
    name = str(data.get("name") or "").strip()[:150] or "Prozess"
    steps = [
        (step.get("kind"), step_clean(step.get("kind"), step.get("params"), i))
        for i, step in enumerate(data.get("steps") or [])
    ]
    if not steps:
        raise ApplicationError("Ein Prozess braucht mindestens einen Schritt.", extra={"field": "steps"})
    return {"name": name, "trigger": data["trigger"], "active": bool(data.get("active", True))}, steps


@transaction.atomic
def definition_create(*, office: Office, acting_user: User | None, data: dict[str, Any]) -> ProcessDefinition:
    values, steps = _definition_values(data)
    definition = ProcessDefinition.objects.create(office=office, **values)
    for i, (kind, params) in enumerate(steps):
        ProcessStep.objects.create(definition=definition, position=i, kind=kind, params=params)
    return definition


@transaction.atomic
def definition_update(
    *, definition: ProcessDefinition, acting_user: User | None, data: dict[str, Any]
) -> ProcessDefinition:
    """Change name, trigger, active and the steps. Running instances go on at their position with
    the new steps (the editor says so); what already ran stays in their step history."""
    values, steps = _definition_values(data)
    definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
    for key, value in values.items():
        setattr(definition, key, value)
    definition.save()
    definition.steps.all().delete()
    for i, (kind, params) in enumerate(steps):
        ProcessStep.objects.create(definition=definition, position=i, kind=kind, params=params)
    return definition


@transaction.atomic
def definition_delete(*, definition: ProcessDefinition, acting_user: User | None) -> None:
    """Delete a process that never ran; one that ran keeps its history and can be switched off."""
    if ProcessInstance.objects.filter(definition=definition).exists():
        raise ApplicationError(
            "Dieser Prozess lief schon für Adressen; sein Verlauf bleibt erhalten. "
            "Bitte deaktivieren statt löschen."
        )
    definition.delete()


def definition_set_active(*, definition: ProcessDefinition, acting_user: User | None, active: bool) -> None:
    ProcessDefinition.objects.filter(pk=definition.pk).update(active=active)


def processes_start(*, trigger: str, inquiry: Inquiry, contact: Contact) -> list[ProcessInstance]:
    """Start every active process of the office for this trigger (once per contact/property/inquiry)."""
    office = inquiry.office
    processes_install_defaults(office=office)
    started = []
    for definition in ProcessDefinition.objects.filter(office=office, trigger=trigger, active=True):
        try:
            with transaction.atomic():
                instance = ProcessInstance.objects.create(
                    office=office,
                    definition=definition,
                    contact=contact,
                    property_id=inquiry.property_id,
                    inquiry=inquiry,
                    next_run_at=timezone.now(),
                )
        except IntegrityError:
            continue  # already started for this trigger
        activity_create(
            office=office,
            type=Activity.Type.SYSTEM,
            subject=f"Prozess „{definition.name}“ gestartet",
            acting_user=None,
            contact_id=contact.pk,
            property_id=inquiry.property_id,
            payload={"process_instance_id": instance.pk},
        )
        started.append(instance)
    return started


def processes_run_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Run every due step of every running process; returns how many steps ran.

    The pass keeps one SMTP connection per sending agent (`mailer_pool`)."""

    with mailer_pool():
        return _run_due(now=now, limit=limit)


def _run_due(*, now: dt.datetime | None, limit: int) -> int:
    ran = 0
    for _ in range(limit):
        now_ = now or timezone.now()
        ids = list(
            ProcessInstance.objects.filter(status=ProcessInstance.Status.RUNNING, next_run_at__lte=now_)
            .order_by("next_run_at", "pk")
            .values_list("pk", flat=True)[:100]
        )
        if not ids:
            break
        progressed = 0
        for pk in ids:
            while run_next_step(instance_id=pk, now=now):
                ran += 1
                progressed += 1
        if not progressed:
            break
    return ran


def _context(instance: ProcessInstance) -> MailContext:
    """What the step's texts are rendered for: the process's contact and property."""
    return MailContext(
        office=instance.office, acting_user=None, contact=instance.contact, prop=instance.property
    )


def _task_title(template: str, instance: ProcessInstance) -> str:
    """The task title with its placeholders filled; as written if a field has no value here."""
    try:
        return mail_render(subject=template, body="", ctx=_context(instance)).subject
    except ApplicationError:
        return template


def run_next_step(*, instance_id: int, now: dt.datetime | None = None) -> bool:
    """Run the next step of one instance if it is due. True if a step ran (call again for more)."""
    now = now or timezone.now()
    mail: dict[str, str] | None = None  # the step's mail template, sent after the claim committed
    with transaction.atomic():
        instance = (
            ProcessInstance.objects.select_related("definition", "contact", "property", "office")
            .filter(pk=instance_id, status=ProcessInstance.Status.RUNNING, next_run_at__lte=now)
            .first()
        )
        if instance is None:
            return False
        steps = list(instance.definition.steps.all())
        position = instance.position
        if position >= len(steps):
            ProcessInstance.objects.filter(pk=instance.pk, position=position).update(
                status=ProcessInstance.Status.DONE, finished_at=now
            )
            return False
        step = steps[position]
        next_run_at = now
        if step.kind == ProcessStep.Kind.WAIT:
            p = step.params
            next_run_at = now + dt.timedelta(days=float(p.get("days") or 0), hours=float(p.get("hours") or 0))
        done = position + 1 >= len(steps) and step.kind != ProcessStep.Kind.WAIT
        # The claim: only one worker moves the position on.
        if not ProcessInstance.objects.filter(
            pk=instance.pk, position=position, status=ProcessInstance.Status.RUNNING
        ).update(
            position=position + 1,
            next_run_at=next_run_at,
            status=ProcessInstance.Status.DONE if done else ProcessInstance.Status.RUNNING,
            finished_at=now if done else None,
        ):
            return False
        run = ProcessStepRun.objects.create(
            instance=instance, position=position, kind=step.kind, started_at=now
        )
        result = _run_db_step(instance, step)
        if step.kind == ProcessStep.Kind.SEND_MAIL:
            mail = {
                "subject": str(step.params.get("subject") or ""),
                "body": str(step.params.get("body") or ""),
            }
            result = "E-Mail wird gesendet"
        run.result = result[:500]
        run.finished_at = None if mail else now
        run.save(update_fields=["result", "finished_at"])
    if mail is not None:
        _send_step_mail(instance, run, mail)
    return True


def _run_db_step(instance: ProcessInstance, step: ProcessStep) -> str:

    p = step.params
    if step.kind == ProcessStep.Kind.WAIT:
        return f"Wartet {p.get('days') or 0} Tag(e)" + (
            f" und {p['hours']} Stunde(n)" if p.get("hours") else ""
        )
    if step.kind == ProcessStep.Kind.ADD_TAG:
        tag = str(p.get("tag") or "").strip()
        if tag:
            contacts_tag(
                office=instance.office, acting_user=None, contact_ids=[instance.contact_id], tag_name=tag
            )
        return f"Schlagwort „{tag}“ gesetzt"
    if step.kind == ProcessStep.Kind.SET_INTEREST_STATUS:
        return _set_interest(instance, str(p.get("status") or "new"))
    if step.kind == ProcessStep.Kind.CREATE_TASK:
        prop = instance.property
        assignee = (prop.responsible_agent if prop else None) or instance.contact.responsible_agent
        title = _task_title(str(p.get("title") or "Nachfassen: {{ kontakt.name }}"), instance)
        due = timezone.now() + dt.timedelta(days=float(p.get("due_days") or 0))
        task_create(
            office=instance.office,
            title=title[:300],
            assignee=assignee,
            due_at=due,
            contact_id=instance.contact_id,
            property_id=instance.property_id,
            description=f"Aus dem Prozess „{instance.definition.name}“.",
            source="process",
        )
        activity_create(
            office=instance.office,
            type=Activity.Type.TASK,
            subject=f"Aufgabe „{title}“ angelegt (Prozess „{instance.definition.name}“)"[:300],
            acting_user=None,
            contact_id=instance.contact_id,
            property_id=instance.property_id,
            payload={"process_instance_id": instance.pk},
        )
        return f"Aufgabe „{title}“ angelegt"
    return ""


def _set_interest(instance: ProcessInstance, status: str) -> str:

    prop = instance.property
    if prop is None:
        return "Kein Objekt: Interessenstatus nicht gesetzt"
    link = prospect_link_get(property_id=prop.pk, contact_id=instance.contact_id)
    if link is not None and link.interest_status == status:
        return "Interessenstatus war bereits gesetzt"
    property_prospect_ensure(prop=prop, contact=instance.contact, interest_status=status)
    return f"Interessenstatus „{status}“ gesetzt"


def _send_step_mail(instance: ProcessInstance, run: ProcessStepRun, mail: dict[str, str]) -> None:
    """The step's mail template, rendered for the contact and property, sent through `mailing`.

    It leaves as the responsible agent (their own SMTP account where set, else the office's) and
    is recorded as a sent mail with an "E-Mail gesendet" activity on contact and property.
    """

    ctx = _context(instance)
    email = contact_email(instance.contact)
    try:
        if not email:
            raise ApplicationError("Kontakt hat keine E-Mail-Adresse")
        try:
            mail_send(
                office=instance.office,
                ctx=ctx,
                to_email=email,
                acting_user=None,
                sender=ctx.agent,
                subject=mail["subject"],
                body=mail["body"],
                activity=MailActivity(
                    type=Activity.Type.EMAIL_SENT, payload={"process_instance_id": instance.pk}
                ),
            )
        except SmtpError as exc:
            raise ApplicationError(smtp_reason(exc)) from exc
        ProcessStepRun.objects.filter(pk=run.pk).update(
            result=f"E-Mail an {email} gesendet", finished_at=timezone.now()
        )
    except Exception as exc:
        reason = exc.message if isinstance(exc, ApplicationError) else str(exc)
        ProcessStepRun.objects.filter(pk=run.pk).update(
            ok=False, result=f"E-Mail fehlgeschlagen: {reason}"[:500], finished_at=timezone.now()
        )
        ProcessInstance.objects.filter(pk=instance.pk).update(
            status=ProcessInstance.Status.FAILED, error=reason[:500]
        )


@transaction.atomic
def instance_cancel(*, instance: ProcessInstance, acting_user: User) -> ProcessInstance:
    if not ProcessInstance.objects.filter(pk=instance.pk, status=ProcessInstance.Status.RUNNING).update(
        status=ProcessInstance.Status.CANCELLED, cancelled_by=acting_user, finished_at=timezone.now()
    ):
        raise ApplicationError("Dieser Prozess läuft nicht mehr.")
    instance.refresh_from_db()
    activity_create(
        office=instance.office,
        type=Activity.Type.SYSTEM,
        subject=f"Prozess „{instance.definition.name}“ abgebrochen",
        acting_user=acting_user,
        contact_id=instance.contact_id,
        property_id=instance.property_id,
        payload={"process_instance_id": instance.pk},
    )
    return instance
