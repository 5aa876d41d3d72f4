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
                "params": {"title": "Nachfassen: {contact} zu {property}", "due_days": 0},
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
    with transaction.atomic():
        if not InquirySettings.objects.filter(pk=cfg.pk, processes_installed=False).update(
            processes_installed=True
        ):
            return
        for spec in DEFAULT_PROCESSES:
            definition_create(office=office, acting_user=None, data=spec)


@transaction.atomic
def definition_create(*, office: Office, acting_user: User | None, data: dict[str, Any]) -> ProcessDefinition:
    if data.get("trigger") not in ProcessDefinition.Trigger.values:
        raise ApplicationError("Unbekannter Auslöser.", extra={"field": "trigger"})
    definition = ProcessDefinition.objects.create(
        office=office,
        name=str(data.get("name") or "Prozess")[:150],
        trigger=data["trigger"],
        active=data.get("active", True),
    )
    for i, step in enumerate(data.get("steps") or []):
        if step.get("kind") not in ProcessStep.Kind.values:
            raise ApplicationError(f"Unbekannter Schritt „{step.get('kind')}“.", extra={"field": "steps"})
        ProcessStep.objects.create(
            definition=definition, position=i, kind=step["kind"], params=step.get("params") or {}
        )
    return definition


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
    """Run every due step of every running process; returns how many steps ran."""
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


def _fill(text: str, instance: ProcessInstance) -> str:
    prop = instance.property
    return (
        text.replace("{contact}", str(instance.contact))
        .replace("{property}", (prop.title or prop.external_id) if prop else "")
        .replace("{external_id}", prop.external_id if prop else "")
    )


def run_next_step(*, instance_id: int, now: dt.datetime | None = None) -> bool:
    """Run the next step of one instance if it is due. True if a step ran (call again for more)."""
    now = now or timezone.now()
    mail: dict[str, str] | None = None
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
                "subject": _fill(str(step.params.get("subject") or ""), instance),
                "body": _fill(str(step.params.get("body") or ""), instance),
            }
            result = "E-Mail wird gesendet"
        run.result = result[:500]
        run.finished_at = None if mail else now
        run.save(update_fields=["result", "finished_at"])
    if mail is not None:
        _send_step_mail(instance, run, mail)
    return True


def _run_db_step(instance: ProcessInstance, step: ProcessStep) -> str:
    from maklerwerk.contacts.services import contacts_tag

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
        from maklerwerk.tasks.services import task_create

        prop = instance.property
        assignee = (prop.responsible_agent if prop else None) or instance.contact.responsible_agent
        title = _fill(str(p.get("title") or "Nachfassen: {contact}"), instance)
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
    from maklerwerk.properties.models import PropertyContact
    from maklerwerk.properties.services import property_contact_set

    prop = instance.property
    if prop is None:
        return "Kein Objekt: Interessenstatus nicht gesetzt"
    link = PropertyContact.objects.filter(property=prop, contact=instance.contact, role="prospect").first()
    if link is not None and link.interest_status == status:
        return "Interessenstatus war bereits gesetzt"
    property_contact_set(
        prop=prop,
        contact=instance.contact,
        acting_user=None,
        role="prospect",
        interest_status=status,
        note=link.note if link else "",
    )
    return f"Interessenstatus „{status}“ gesetzt"


def _send_step_mail(instance: ProcessInstance, run: ProcessStepRun, mail: dict[str, str]) -> None:
    from maklerwerk.inquiries import sending

    email = instance.contact.emails.values_list("value", flat=True).first()
    try:
        if not email:
            raise ApplicationError("Kontakt hat keine E-Mail-Adresse")
        sending.send_plain(
            to=email, subject=mail["subject"], body=mail["body"], reply_to=instance.office.email
        )
        ProcessStepRun.objects.filter(pk=run.pk).update(
            result=f"E-Mail an {email} gesendet", finished_at=timezone.now()
        )
        activity_create(
            office=instance.office,
            type=Activity.Type.EMAIL_SENT,
            subject=mail["subject"][:300] or "E-Mail",
            body=mail["body"],
            acting_user=None,
            contact_id=instance.contact_id,
            property_id=instance.property_id,
            payload={"process_instance_id": instance.pk},
        )
    except Exception as exc:
        ProcessStepRun.objects.filter(pk=run.pk).update(
            ok=False, result=f"E-Mail fehlgeschlagen: {exc}"[:500], finished_at=timezone.now()
        )
        ProcessInstance.objects.filter(pk=instance.pk).update(
            status=ProcessInstance.Status.FAILED, error=str(exc)[:500]
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
