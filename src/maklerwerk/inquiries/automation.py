"""The automation of one inquiry, run as its own job after the mail was taken in.

    fetch (handler) → Inquiry row → job "inquiries.automate" → `inquiry_process` → Decision → send

`inquiry_automate` claims the inquiry (conditional UPDATE), decides in one transaction and returns
a typed `Decision`; `decision_execute` then sends what the decision asks for, each send claimed
before its side effect. Running a job again (a dead worker's job is resumed) continues from the
inquiry's state (`pending_decision`), so nothing is sent twice and nothing is left behind.
Every status change goes through `inquiry_status_set`; the prospect travels as one `Prospect`.
Other apps are read through their selectors and written through their services.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maklerwerk.accounts.models import Office
from maklerwerk.contacts import intake
from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.selectors import contact_by_email as by_email
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_start
from maklerwerk.core.models import Activity, Job
from maklerwerk.inquiries import rules as rules_mod
from maklerwerk.inquiries import sending
from maklerwerk.inquiries.intake import inquiry_read
from maklerwerk.inquiries.models import Inquiry, InquiryRule, InquirySettings, PortalListing
from maklerwerk.inquiries.processes import processes_start
from maklerwerk.inquiries.prospect import Prospect
from maklerwerk.inquiries.steps import inquiry_status_set, step_record
from maklerwerk.properties.selectors import property_by_reference, property_is_marketable_for
from maklerwerk.properties.services import property_prospect_ensure
from maklerwerk.tasks.services import task_create

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

logger = logging.getLogger(__name__)

Status = Inquiry.Status


def settings_for(office: Office) -> InquirySettings:
    cfg, _ = InquirySettings.objects.get_or_create(office=office)
    return cfg


def _settings(inquiry: Inquiry) -> InquirySettings:
    """The office's settings, read once per run of the automation (the inquiry object lives as
    long as one job)."""
    cached = inquiry.__dict__  # a cache on the object, not a model field
    if "_automation_settings" not in cached:
        cached["_automation_settings"] = settings_for(inquiry.office)
    cfg: InquirySettings = cached["_automation_settings"]
    return cfg


# --- the decision --------------------------------------------------------------------------------


class Action(enum.Enum):
    STOP = "stop"  # the status says why; nothing is sent
    CONFIRM = "confirm"  # the double-opt-in mail is due
    EXPOSE = "expose"  # the exposé is due


@dataclass(frozen=True)
class Decision:
    """What the automation decided for one inquiry; `status` None leaves the status as it is."""

    action: Action
    status: str | None = None
    reason: str = ""
    step: str = ""  # the step that records the reason ("" = none)
    ok: bool = True
    activity: str | None = None

    @classmethod
    def stop(
        cls, status: str, reason: str, step: str = "", *, ok: bool = True, activity: str | None = None
    ) -> Decision:
        return cls(Action.STOP, status, reason, step, ok, activity)


EXPOSE = Decision(Action.EXPOSE)
CONFIRM = Decision(Action.CONFIRM, Status.WAITING, "Bestätigung der E-Mail-Adresse angefordert.")


def _acting_user(inquiry: Inquiry) -> User | None:
    if inquiry.mailbox_id:
        return inquiry.mailbox.main_user  # type: ignore[union-attr]  # mailbox_id is set
    return inquiry.assigned_to


def _rules(office: Office) -> list[rules_mod.Rule]:
    return [
        rules_mod.Rule(
            name=r.name,
            action=r.action,
            source=r.source,
            property_id=r.property_id,
            object_kind=r.object_kind,
            marketing_type=r.marketing_type,
            keyword=r.keyword,
        )
        for r in InquiryRule.objects.filter(office=office, active=True).order_by("order", "pk")
    ]


def property_resolve(*, office: Office, external_id: str, source: str, portal_id: str) -> Property | None:
    """The office's property by its Kennung, else by the portal's id (the inquiry app's listings)."""

    prop = property_by_reference(office_id=office.pk, external_id=external_id)
    if prop is not None or not portal_id:
        return prop
    listings = PortalListing.objects.filter(office=office, portal_id=portal_id.strip()).select_related(
        "property"
    )
    listing = (
        listings.filter(source__in=[source, "openimmo"] if source else ["openimmo"]).first()
        or listings.first()
    )
    return listing.property if listing is not None else None


def contact_by_email(*, office: Office, email: str) -> Contact | None:

    return by_email(office_id=office.pk, email=email)


def _link_prospect(inquiry: Inquiry, contact: Contact) -> None:
    """The contact as a prospect of the inquiry's property (kept as it is when already linked)."""

    if inquiry.property is not None:
        property_prospect_ensure(
            prop=inquiry.property, contact=contact, note=f"Anfrage {inquiry.get_source_display()}"
        )


def contact_for_inquiry(inquiry: Inquiry, cfg: InquirySettings) -> Contact | None:
    """Step 4: the prospect's contact through the office's inquiry duplicate rule (contacts.intake).

    None if a possible duplicate stopped it (policy "ask"): then the inquiry is aborted and a task
    created. `cfg` is kept for the callers; the rule comes from the office's duplicate settings."""

    prospect = Prospect.of(inquiry)
    source = Contact.Source.WEBSITE if inquiry.source == "website" else Contact.Source.PORTAL
    agent_id = (inquiry.property.responsible_agent_id if inquiry.property else None) or inquiry.assigned_to_id
    result = intake.contact_intake(
        intake.NewContact.from_data(prospect.contact_data(source=source, responsible_agent_id=agent_id)),
        office=inquiry.office,
        acting_user=None,
        source=intake.IntakeSource.INQUIRY,
        history_note=f"Aus Anfrage #{inquiry.pk} ({inquiry.get_source_display()})",
        drop_invalid=("phones", "postal_code", "salutation"),  # a malformed phone must not lose the lead
    )
    reasons = ", ".join(result.reasons) or "ähnliche Daten"
    if result.dropped:
        step_record(
            inquiry,
            "data_dropped",
            f"Ungültige Angaben nicht übernommen: {', '.join(result.dropped)}",
            ok=False,
        )
    if isinstance(result, intake.Attached):  # only ever a certain duplicate
        inquiry.contact = result.contact
        inquiry.save(update_fields=["contact", "updated_at"])
        step_record(inquiry, "duplicate_attached", result.message, activity=Activity.Type.INQUIRY)
        return result.contact
    if not isinstance(result, intake.Created) or result.contact is None:
        best = result.candidates[0].contact
        inquiry.duplicate_of = best
        level = "Wahrscheinliche" if result.candidates[0].certain else "Mögliche"
        reason = f"{level} Dublette von {best} ({reasons}); bitte prüfen."
        inquiry_status_set(inquiry, Status.ABORTED, reason, also=["duplicate_of"])
        step_record(inquiry, "duplicate", reason, ok=False, activity=Activity.Type.INQUIRY)
        _duplicate_task(inquiry, best, reasons)
        return None
    contact = result.contact
    inquiry.contact = contact
    inquiry.save(update_fields=["contact", "updated_at"])
    step_record(inquiry, "contact_created", f"Kontakt {contact} angelegt", activity=Activity.Type.INQUIRY)
    if result.review:  # attach-certain found only a possible duplicate: new contact, flagged
        inquiry.duplicate_of = result.candidates[0].contact
        inquiry.save(update_fields=["duplicate_of", "updated_at"])
        step_record(inquiry, "duplicate_review", result.message, ok=False, activity=Activity.Type.INQUIRY)

    processes_start(trigger="contact_created", inquiry=inquiry, contact=contact)
    return contact


def _duplicate_task(inquiry: Inquiry, existing: Contact, reasons: str) -> None:
    prop = inquiry.property
    assignee = (
        (prop.responsible_agent if prop else None) or existing.responsible_agent or _acting_user(inquiry)
    )
    task = task_create(
        office=inquiry.office,
        title=f"Mögliche Dublette prüfen: {inquiry.display_name} / {existing}"[:300],
        assignee=assignee,
        contact_id=existing.pk,
        property_id=prop.pk if prop else None,
        description=(
            f"Die Anfrage #{inquiry.pk} ({inquiry.get_source_display()}) von {inquiry.display_name} "
            f"<{inquiry.email}> ähnelt dem bestehenden Kontakt {existing} ({reasons}). "
            "Bitte zusammenführen oder als neuen Kontakt anlegen."
        ),
        link_url=reverse("inquiries:detail", args=[inquiry.pk]),
        source="inquiry",
    )
    # Never nobody: an inquiry without a user who may market its property stopped before this step.
    step_record(inquiry, "task", f"Aufgabe „{task.title}“ für {assignee} angelegt")


def _decide(inquiry: Inquiry) -> Decision:
    """Steps 1–4 for a claimed inquiry; records the steps on the way and returns the decision."""

    office = inquiry.office
    cfg = _settings(inquiry)
    user = _acting_user(inquiry)
    prop = property_resolve(
        office=office,
        external_id=inquiry.property_external_id,
        source=inquiry.source,
        portal_id=inquiry.portal_property_id,
    )
    if prop is None:
        ref = inquiry.property_external_id or inquiry.portal_property_id or "keine Angabe"
        return Decision.stop(
            Status.IGNORED, f"Objekt unbekannt (Kennung/Portal-ID: {ref}).", "property", ok=False
        )
    inquiry.property = prop
    inquiry.save(update_fields=["property", "updated_at"])
    if user is None or not property_is_marketable_for(user=user, property_id=prop.pk):
        reason = (
            f"Objekt {prop.external_id} ist nicht in aktiver Vermarktung "
            f"oder für {user or '–'} nicht sichtbar."
        )
        return Decision.stop(Status.IGNORED, reason, "property", ok=False, activity=Activity.Type.INQUIRY)
    step_record(inquiry, "property", f"Anfrage zu {prop}", activity=Activity.Type.INQUIRY)
    facts = rules_mod.RuleFacts(
        source=inquiry.source,
        property_id=prop.pk,
        object_kind=prop.object_kind,
        marketing_type=prop.marketing_type,
        message=f"{inquiry.subject}\n{inquiry.message}",
    )
    rule = rules_mod.first_matching(_rules(office), facts)
    if rule is not None and rule.action == InquiryRule.Action.NO_AUTOMATION:
        reason = f"Ausnahme „{rule.name}“: keine Automatik – bitte manuell bearbeiten."
        return Decision.stop(Status.NEW, reason, "rule")
    if not inquiry.email:
        reason = "Keine E-Mail-Adresse in der Anfrage – bitte manuell bearbeiten."
        return Decision.stop(Status.NEW, reason, "email", ok=False)
    address_only = rule is not None and rule.action == InquiryRule.Action.ADDRESS_ONLY
    contact = contact_by_email(office=office, email=inquiry.email)
    if contact is not None:  # step 2
        inquiry.contact = contact
        inquiry.save(update_fields=["contact", "updated_at"])
        step_record(
            inquiry,
            "known_contact",
            f"E-Mail-Adresse gehört zu Kontakt {contact}",
            activity=Activity.Type.INQUIRY,
        )
        if address_only:
            _link_prospect(inquiry, contact)
            return Decision.stop(
                Status.ADDRESS_ONLY,
                f"Ausnahme „{rule.name}“: nur Adresse (Kontakt bestand bereits).",  # type: ignore[union-attr]  # a rule
            )
        return EXPOSE
    if address_only or not cfg.double_opt_in:  # step 4 without double opt-in
        contact = contact_for_inquiry(inquiry, cfg)
        if contact is None:  # a probable duplicate: aborted with a task
            return Decision(Action.STOP)
        if address_only:
            _link_prospect(inquiry, contact)
            note = f"Ausnahme „{rule.name}“: nur Adresse angelegt."  # type: ignore[union-attr]  # address_only: a rule
            return Decision.stop(Status.ADDRESS_ONLY, note)
        return EXPOSE
    return CONFIRM  # step 3: double opt-in


def _apply(inquiry: Inquiry, decision: Decision) -> None:
    if decision.status is not None:
        inquiry_status_set(inquiry, decision.status, decision.reason)
    if decision.step:
        step_record(inquiry, decision.step, decision.reason, ok=decision.ok, activity=decision.activity)


def inquiry_automate(*, inquiry_id: int) -> Inquiry:
    """Run steps 1–5 for a new inquiry, once. Returns the inquiry in its new state."""
    inquiry, decision = _claim_and_decide(inquiry_id)
    if decision is not None:
        decision_execute(inquiry, decision)
        inquiry.refresh_from_db()
    return inquiry


def _claim_and_decide(inquiry_id: int) -> tuple[Inquiry, Decision | None]:
    received = Inquiry.objects.select_related("mailbox").filter(pk=inquiry_id, status=Status.RECEIVED).first()
    if received is not None:  # stage 2 first: read the mail
        inquiry_read(received)
    with transaction.atomic():
        claimed = Inquiry.objects.filter(
            pk=inquiry_id, status=Status.NEW, automation_claimed_at__isnull=True
        ).update(automation_claimed_at=timezone.now())
        inquiry = Inquiry.objects.select_related("office", "mailbox__main_user", "assigned_to").get(
            pk=inquiry_id
        )
        if not claimed:
            return inquiry, None
        decision = _decide(inquiry)
        _apply(inquiry, decision)
    return inquiry, decision


def pending_decision(inquiry: Inquiry) -> Decision | None:
    """What a decided inquiry still waits for (a worker died between deciding and sending)."""
    if inquiry.automation_claimed_at is None:
        return None
    if (
        inquiry.status == Status.WAITING
        and inquiry.confirmed_at is None
        and inquiry.confirmation_sent_at is None
    ):
        return CONFIRM
    waiting_for_expose = (inquiry.status == Status.NEW and not inquiry.reason) or (
        inquiry.status == Status.WAITING and inquiry.confirmed_at is not None
    )
    if waiting_for_expose and inquiry.contact_id and inquiry.expose_claimed_at is None:
        return EXPOSE
    return None


def inquiry_process(*, inquiry_id: int) -> Inquiry:
    """The job of one inquiry: automate it, or finish what a dead worker left (idempotent)."""
    inquiry, decision = _claim_and_decide(inquiry_id)
    decision = decision or pending_decision(inquiry)
    if decision is not None:
        decision_execute(inquiry, decision)
        inquiry.refresh_from_db()
    return inquiry


def decision_execute(inquiry: Inquiry, decision: Decision) -> None:
    if decision.action is Action.CONFIRM:
        confirmation_send(inquiry)
    elif decision.action is Action.EXPOSE:
        expose_send(inquiry)


# --- sending (the mails themselves are built in inquiries.sending) --------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_url(token: str, *, office_id: int | None = None) -> str:
    return absolute_url(reverse("inquiries:confirm", args=[token]), office=office_id)


def confirmation_send(inquiry: Inquiry) -> None:
    """The double-opt-in mail, once: the claim stores the new link's hash; the link itself only
    lives in this call and in the mail (a retry sends a new link, the old one stops working)."""

    cfg = _settings(inquiry)
    token = secrets.token_urlsafe(32)  # 256 random bits; only the hash is kept
    expires = timezone.now() + dt.timedelta(days=cfg.confirmation_days)
    claimed = Inquiry.objects.filter(pk=inquiry.pk, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now(), token_hash=token_hash(token), token_expires_at=expires
    )
    if not claimed:
        return
    inquiry.token_hash, inquiry.token_expires_at = token_hash(token), expires
    try:
        sending.send_confirmation(
            inquiry=inquiry,
            url=confirmation_url(token, office_id=inquiry.office_id),
            valid_days=cfg.confirmation_days,
        )
    except Exception as exc:
        logger.warning("confirmation mail for inquiry %s failed: %s", inquiry.pk, exc)
        Inquiry.objects.filter(pk=inquiry.pk).update(confirmation_sent_at=None, token_hash="")
        with transaction.atomic():
            reason = f"Bestätigungs-E-Mail konnte nicht gesendet werden: {exc}"
            inquiry_status_set(inquiry, Status.ABORTED, reason)
            step_record(inquiry, "confirmation_mail", reason, ok=False, activity=Activity.Type.EMAIL_SENT)
        return
    step_record(
        inquiry,
        "confirmation_mail",
        f"Bestätigungs-E-Mail (Double-Opt-in) an {inquiry.email} gesendet",
        activity=Activity.Type.EMAIL_SENT,
    )


def expose_send(inquiry: Inquiry) -> None:
    """Step 5: the exposé, at most once per inquiry (claimed before sending)."""

    cfg = _settings(inquiry)
    if not cfg.send_expose:
        with transaction.atomic():
            if inquiry.contact is not None:
                _link_prospect(inquiry, inquiry.contact)
            inquiry_status_set(inquiry, Status.COMPLETED, "Exposé-Versand ist ausgeschaltet.")
        return
    claimed_at = timezone.now()
    if not Inquiry.objects.filter(pk=inquiry.pk, expose_claimed_at__isnull=True).update(
        expose_claimed_at=claimed_at
    ):
        return
    inquiry.expose_claimed_at = claimed_at
    contact, prop = inquiry.contact, inquiry.property
    assert contact is not None and prop is not None
    _link_prospect(inquiry, contact)  # the prospect link with the inquiry's note; the offer moves it on
    try:
        sending.send_expose(inquiry=inquiry, contact=contact, prop=prop)
    except Exception as exc:
        logger.warning("exposé mail for inquiry %s failed: %s", inquiry.pk, exc)
        Inquiry.objects.filter(pk=inquiry.pk).update(expose_claimed_at=None)
        inquiry.expose_claimed_at = None
        with transaction.atomic():
            reason = f"Exposé konnte nicht gesendet werden: {exc}"
            inquiry_status_set(inquiry, Status.ABORTED, reason)
            step_record(inquiry, "expose", reason, ok=False)
        return
    with transaction.atomic():
        inquiry.expose_sent_at = timezone.now()
        inquiry_status_set(inquiry, Status.COMPLETED, "", also=["expose_sent_at"])
        # The activity "Exposé versendet" (contact and property) and the interest status "exposé
        # sent" are written by the exposé app's offer (recipient_sent); the step is the inquiry's own.
        step_record(inquiry, "expose", f"Exposé {prop.external_id} (PDF) an {inquiry.email} gesendet")

        processes_start(trigger="expose_sent", inquiry=inquiry, contact=contact)


# --- retry ---------------------------------------------------------------------------------------

RETRYABLE = (Status.IGNORED, Status.NEW, Status.ABORTED)


def inquiry_retry(*, inquiry: Inquiry, acting_user: User) -> Inquiry:
    """Run the automation again for an inquiry that stopped (e.g. after the property was activated).

    The reset is a claim: of two users who press "erneut verarbeiten" at once, one gets it and the
    other a message. It also frees the confirmation claim, so an expired inquiry gets a new link."""
    if inquiry.status not in RETRYABLE:
        raise ApplicationError("Diese Anfrage kann nicht erneut verarbeitet werden.")
    if inquiry.confirmed_at or inquiry.expose_sent_at:
        raise ApplicationError("Diese Anfrage wurde bereits bestätigt oder beantwortet.")
    reset = Inquiry.objects.filter(
        pk=inquiry.pk,
        status__in=RETRYABLE,
        confirmed_at__isnull=True,
        expose_sent_at__isnull=True,
        automation_claimed_at__isnull=False,
    ).update(
        status=Status.NEW,
        reason="",
        automation_claimed_at=None,
        confirmation_sent_at=None,
        token_hash="",
        token_expires_at=None,
        updated_at=timezone.now(),
    )
    if not reset:
        raise ApplicationError("Diese Anfrage wird gerade schon verarbeitet.")
    step_record(inquiry, "retry", f"Erneute Verarbeitung durch {acting_user}")
    return inquiry_automate(inquiry_id=inquiry.pk)


# --- the automation jobs (the job function is in tasks.py; the fetch in handler.py starts them) -----

AUTOMATE = "inquiries.automate"


def automation_start(office_id: int, inquiry_ids: Iterable[int]) -> list[Job]:
    """One automation job per inquiry, handed to the workers at once (the intake has committed)."""

    office = Office.objects.get(pk=office_id)
    return [
        job_start(
            kind=AUTOMATE,
            title=f"Anfrage #{pk} verarbeiten",
            office=office,
            created_by=None,
            enqueue_now=True,
            inquiry_id=pk,
        )
        for pk in inquiry_ids
    ]


def automation_busy_ids() -> set[int]:
    """Inquiries whose automation job is queued or running (recently), so nobody enqueues it twice."""
    recent = timezone.now() - dt.timedelta(hours=1)
    rows = Job.objects.filter(
        kind=AUTOMATE, state__in=[Job.State.QUEUED, Job.State.RUNNING], created_at__gte=recent
    )
    return {int(p["inquiry_id"]) for p in rows.values_list("params", flat=True) if p.get("inquiry_id")}
