"""Writes of the inquiry manager: intake (idempotent), the automation steps 1–5, confirmation.

Idempotency: a mail is taken in once per mailbox (unique Message-ID + content hash on
`ProcessedMail`); the automation of an inquiry, the confirmation and the exposé are each claimed
with a conditional UPDATE before their side effect, so the same message twice, a crash halfway
or two workers at once give one inquiry, one contact and one exposé.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.inquiries import rules as rules_mod
from maklerwerk.inquiries.models import (
    Inquiry,
    InquiryRule,
    InquirySettings,
    InquiryStep,
    Mailbox,
    PortalListing,
    ProcessedMail,
)
from maklerwerk.inquiries.parsers import MailParseResult, ParsedInquiry, parse_message

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

logger = logging.getLogger(__name__)

# Raw mails are kept with the inquiry up to this size; larger ones stay in the mailbox.
MAX_RAW_BYTES = 10 * 1024 * 1024


def settings_for(office: Office) -> InquirySettings:
    cfg, _ = InquirySettings.objects.get_or_create(office=office)
    return cfg


# --- steps and activities ----------------------------------------------------------------------


def _step(inquiry: Inquiry, kind: str, text: str, *, ok: bool = True, activity: str | None = None) -> None:
    """Record a step on the inquiry and, as an activity, on its contact and property."""
    InquiryStep.objects.create(inquiry=inquiry, kind=kind, text=text[:500], ok=ok)
    if activity and (inquiry.contact_id or inquiry.property_id):
        activity_create(
            office=inquiry.office,
            type=activity,
            subject=text[:300],
            acting_user=None,
            contact_id=inquiry.contact_id,
            property_id=inquiry.property_id,
            payload={"inquiry_id": inquiry.pk, "step": kind},
        )


def _finish(inquiry: Inquiry, status: str, reason: str = "") -> None:
    inquiry.status = status
    inquiry.reason = reason[:500]
    inquiry.save()


# --- intake ------------------------------------------------------------------------------------


def _inquiry_fields(parsed: ParsedInquiry) -> dict[str, Any]:
    return {
        "source": parsed.source,
        "salutation": parsed.salutation[:10],
        "first_name": parsed.first_name[:100],
        "last_name": parsed.last_name[:100],
        "email": parsed.email[:254],
        "phone": parsed.phone[:60],
        "street": parsed.street[:200],
        "house_number": parsed.house_number[:20],
        "postal_code": parsed.postal_code[:10],
        "city": parsed.city[:100],
        "message": parsed.message[:20000],
        "property_external_id": parsed.property_external_id[:100],
        "portal_property_id": parsed.portal_property_id[:100],
        "property_title": parsed.property_title[:300],
    }


def mail_intake(
    *, mailbox: Mailbox, folder: str, uid: int, uid_validity: int, raw: bytes
) -> ProcessedMail | None:
    """Take one raw mail in: claim it, parse it, store an inquiry. None if it was taken in before.

    The claim (a unique row per mailbox, Message-ID and content hash) and the inquiry are written
    in one transaction: a crash halfway leaves neither, so the next pass takes the mail in again.
    """
    result: MailParseResult = parse_message(raw)
    key = {"mailbox": mailbox, "message_id": result.message_id, "content_hash": result.content_hash}
    if ProcessedMail.objects.filter(**key).exists():
        return None
    try:
        with transaction.atomic():
            processed = ProcessedMail.objects.create(
                office_id=mailbox.office_id, folder=folder, uid=uid, uid_validity=uid_validity, **key
            )
            stored_raw = raw if len(raw) <= MAX_RAW_BYTES else b""
            problems = list(result.problems)
            if not stored_raw:
                problems.append(
                    f"Originalnachricht ({len(raw) / 1024 / 1024:.1f} MB) ist zu groß zum Speichern; "
                    "sie bleibt im Postfach."
                )
            inquiry = Inquiry(
                office_id=mailbox.office_id,
                mailbox=mailbox,
                subject=result.subject,
                sender=result.sender,
                message_id=result.message_id,
                content_hash=result.content_hash,
                raw=stored_raw,
                text=result.text[:100_000],
                problems=problems,
                assigned_to_id=mailbox.main_user_id,
            )
            if result.inquiry is None:
                inquiry.status = Inquiry.Status.UNRECOGNIZED
                inquiry.reason = "Nicht erkannt: kein bekanntes Anfrageformat." + (
                    " " + problems[0] if problems else ""
                )
                inquiry.reason = inquiry.reason[:500]
            else:
                for k, v in _inquiry_fields(result.inquiry).items():
                    setattr(inquiry, k, v)
            inquiry.save()
            _step(
                inquiry,
                "received",
                f"Anfrage aus Postfach „{mailbox.name}“ übernommen"
                + (f" ({inquiry.get_source_display()})" if result.inquiry else " – nicht erkannt"),
                ok=result.inquiry is not None,
            )
            processed.inquiry = inquiry
            processed.state = ProcessedMail.State.DONE
            processed.save(update_fields=["inquiry", "state"])
    except IntegrityError:
        # Another worker claimed the same message at the same moment.
        return None
    return processed


def inquiry_create_from_form(*, office: Office, acting_user: User, data: dict[str, Any]) -> Inquiry:
    """The office's website form (POST /api/v1/inquiries): an inquiry that then runs the automation."""
    parsed = ParsedInquiry(source="website", **{k: str(v or "") for k, v in data.items()})
    if not parsed.email:
        raise ValidationError({"email": ["Bitte geben Sie eine E-Mail-Adresse an."]})
    if not (parsed.property_external_id or parsed.portal_property_id):
        raise ValidationError({"property_external_id": ["Bitte geben Sie die Objekt-Kennung an."]})
    raw_key = "|".join(f"{k}={v}" for k, v in sorted(data.items())).encode()
    inquiry = Inquiry(
        office=office,
        subject=f"Website-Anfrage {parsed.property_external_id}".strip(),
        sender=parsed.email,
        content_hash=hashlib.sha256(raw_key).hexdigest(),
        assigned_to=acting_user,
        **_inquiry_fields(parsed),
    )
    inquiry.full_clean(exclude=["raw"])
    inquiry.save()
    _step(inquiry, "received", "Anfrage über das Website-Formular eingegangen")
    return inquiry


# --- the automation ------------------------------------------------------------------------------


def property_resolve(*, office: Office, external_id: str, source: str, portal_id: str) -> Property | None:
    """The office's property by its Kennung, else by the portal's id."""
    from maklerwerk.properties.models import Property

    if external_id:
        prop = Property.objects.filter(office=office, external_id__iexact=external_id.strip()).first()
        if prop is not None:
            return prop
    if portal_id:
        listing = (
            PortalListing.objects.filter(office=office, portal_id=portal_id.strip())
            .filter(source__in=[source, "openimmo"] if source else ["openimmo"])
            .select_related("property")
            .first()
        ) or PortalListing.objects.filter(office=office, portal_id=portal_id.strip()).select_related(
            "property"
        ).first()
        if listing is not None:
            return listing.property
    return None


def contact_by_email(*, office: Office, email: str) -> Contact | None:
    from maklerwerk.contacts.models import ContactEmail

    if not email:
        return None
    row = (
        ContactEmail.objects.filter(office=office, value_normalized=email.strip().lower())
        .select_related("contact")
        .order_by("contact_id")
        .first()
    )
    return row.contact if row else None


def _acting_user(inquiry: Inquiry) -> User | None:
    if inquiry.mailbox_id:
        return inquiry.mailbox.main_user  # type: ignore[union-attr]
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


def _link_prospect(inquiry: Inquiry, contact: Contact, interest_status: str = "") -> None:
    from maklerwerk.properties.models import PropertyContact
    from maklerwerk.properties.services import property_contact_set

    prop = inquiry.property
    if prop is None:
        return
    existing = PropertyContact.objects.filter(
        property=prop, contact=contact, role=PropertyContact.Role.PROSPECT
    ).first()
    if existing is not None and (not interest_status or existing.interest_status == interest_status):
        return
    property_contact_set(
        prop=prop,
        contact=contact,
        acting_user=None,
        role=PropertyContact.Role.PROSPECT,
        interest_status=interest_status or (existing.interest_status if existing else "") or "new",
        note=(existing.note if existing else f"Anfrage {inquiry.get_source_display()}")[:300],
    )


def _contact_data(inquiry: Inquiry) -> dict[str, Any]:
    from maklerwerk.contacts.models import Contact

    source = Contact.Source.WEBSITE if inquiry.source == "website" else Contact.Source.PORTAL
    prop = inquiry.property
    agent_id = (prop.responsible_agent_id if prop else None) or inquiry.assigned_to_id
    data: dict[str, Any] = {
        "salutation": inquiry.salutation if inquiry.salutation in ("herr", "frau", "divers") else "",
        "first_name": inquiry.first_name,
        "last_name": inquiry.last_name,
        "street": inquiry.street,
        "house_number": inquiry.house_number,
        "postal_code": inquiry.postal_code,
        "city": inquiry.city,
        "source": source,
        "emails": [{"value": inquiry.email}] if inquiry.email else [],
        "phones": [{"value": inquiry.phone}] if inquiry.phone else [],
        "roles": ["prospect"],
        "responsible_agent_id": agent_id,
    }
    if not (data["first_name"] or data["last_name"]) and not data["emails"]:
        data["last_name"] = inquiry.email or "Unbekannt"
    return data


def _validated_contact_data(inquiry: Inquiry) -> dict[str, Any]:
    """Contact data that passes validation; a malformed phone is dropped (noted) rather than fatal."""
    from maklerwerk.contacts.services import contact_validate

    data = _contact_data(inquiry)
    try:
        return contact_validate(office=inquiry.office, data=data)
    except ValidationError as exc:
        fields = set(getattr(exc, "message_dict", {}) or {})
        dropped = [f for f in fields if f in ("phones", "postal_code", "salutation")]
        if not dropped or fields - set(dropped):
            raise
        for f in dropped:
            data[f] = [] if f == "phones" else ""
        _step(
            inquiry,
            "data_dropped",
            f"Ungültige Angaben nicht übernommen: {', '.join(sorted(dropped))}",
            ok=False,
        )
        return contact_validate(office=inquiry.office, data=data)


def _contact_from_inquiry(inquiry: Inquiry, cfg: InquirySettings) -> Contact | None:
    """Step 4: the contact through the office's inquiry duplicate rule (contacts.intake).

    None if a possible duplicate stopped it (policy "ask": a task for the agent)."""
    from maklerwerk.contacts import intake

    note = f"Aus Anfrage #{inquiry.pk} ({inquiry.get_source_display()})"
    result = intake.contact_intake(
        intake.NewContact.from_data(_contact_data(inquiry)),
        office=inquiry.office,
        acting_user=None,
        source=intake.IntakeSource.INQUIRY,
        history_note=note,
        drop_invalid=("phones", "postal_code", "salutation"),  # a malformed phone must not lose the lead
    )
    reasons = ", ".join(result.reasons) or "ähnliche Daten"
    if result.dropped:
        _step(
            inquiry,
            "data_dropped",
            f"Ungültige Angaben nicht übernommen: {', '.join(result.dropped)}",
            ok=False,
        )
    if isinstance(result, intake.Attached):  # only ever a certain duplicate
        inquiry.contact = result.contact
        _step(inquiry, "duplicate_attached", result.message, activity=Activity.Type.INQUIRY)
        return result.contact
    if not isinstance(result, intake.Created) or result.contact is None:
        best = result.candidates[0].contact
        inquiry.duplicate_of = best
        level = "Wahrscheinliche" if result.candidates[0].certain else "Mögliche"
        reason = f"{level} Dublette von {best} ({reasons}); bitte prüfen."
        _finish(inquiry, Inquiry.Status.ABORTED, reason)
        _step(inquiry, "duplicate", reason, ok=False, activity=Activity.Type.INQUIRY)
        _duplicate_task(inquiry, best, reasons)
        return None
    contact = result.contact
    inquiry.contact = contact
    inquiry.save(update_fields=["contact", "updated_at"])
    _step(inquiry, "contact_created", f"Kontakt {contact} angelegt", activity=Activity.Type.INQUIRY)
    if result.review:  # attach-certain found only a possible duplicate: new contact, flagged
        inquiry.duplicate_of = result.candidates[0].contact
        inquiry.save(update_fields=["duplicate_of", "updated_at"])
        _step(inquiry, "duplicate_review", result.message, ok=False, activity=Activity.Type.INQUIRY)
    from maklerwerk.inquiries.processes import processes_start

    processes_start(trigger="contact_created", inquiry=inquiry, contact=contact)
    return contact


def _duplicate_task(inquiry: Inquiry, existing: Contact, reasons: str) -> None:
    prop = inquiry.property
    assignee = (
        (prop.responsible_agent if prop else None) or existing.responsible_agent or _acting_user(inquiry)
    )
    try:
        from maklerwerk.tasks.services import task_create
    except ImportError:  # the tasks app is not installed yet: the step says so
        _step(inquiry, "task", "Aufgabe konnte nicht angelegt werden (Aufgaben-Modul fehlt).", ok=False)
        return
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
    _step(inquiry, "task", f"Aufgabe „{task.title}“ für {assignee or 'das Büro'} angelegt")


def inquiry_automate(*, inquiry_id: int) -> Inquiry:
    """Run steps 1–5 for a new inquiry, once. Returns the inquiry in its new state."""
    now = timezone.now()
    next_action = ""
    with transaction.atomic():
        claimed = Inquiry.objects.filter(
            pk=inquiry_id, status=Inquiry.Status.NEW, automation_claimed_at__isnull=True
        ).update(automation_claimed_at=now)
        inquiry = Inquiry.objects.select_related("office", "mailbox__main_user", "assigned_to").get(
            pk=inquiry_id
        )
        if not claimed:
            return inquiry
        next_action = _automate(inquiry)
    if next_action == "confirm":
        _send_confirmation(inquiry)
    elif next_action == "expose":
        _send_expose(inquiry)
    inquiry.refresh_from_db()
    return inquiry


def _automate(inquiry: Inquiry) -> str:
    from maklerwerk.properties.selectors import property_is_marketable_for

    office = inquiry.office
    cfg = settings_for(office)
    user = _acting_user(inquiry)
    prop = property_resolve(
        office=office,
        external_id=inquiry.property_external_id,
        source=inquiry.source,
        portal_id=inquiry.portal_property_id,
    )
    if prop is None:
        ref = inquiry.property_external_id or inquiry.portal_property_id or "keine Angabe"
        _finish(inquiry, Inquiry.Status.IGNORED, f"Objekt unbekannt (Kennung/Portal-ID: {ref}).")
        _step(inquiry, "property", inquiry.reason, ok=False)
        return ""
    inquiry.property = prop
    inquiry.save(update_fields=["property", "updated_at"])
    if user is None or not property_is_marketable_for(user=user, property_id=prop.pk):
        reason = (
            f"Objekt {prop.external_id} ist nicht in aktiver Vermarktung "
            f"oder für {user or '–'} nicht sichtbar."
        )
        _finish(inquiry, Inquiry.Status.IGNORED, reason)
        _step(inquiry, "property", reason, ok=False, activity=Activity.Type.INQUIRY)
        return ""
    _step(inquiry, "property", f"Anfrage zu {prop}", activity=Activity.Type.INQUIRY)
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
        _finish(inquiry, Inquiry.Status.NEW, reason)
        _step(inquiry, "rule", reason)
        return ""
    if not inquiry.email:
        reason = "Keine E-Mail-Adresse in der Anfrage – bitte manuell bearbeiten."
        _finish(inquiry, Inquiry.Status.NEW, reason)
        _step(inquiry, "email", reason, ok=False)
        return ""
    address_only = rule is not None and rule.action == InquiryRule.Action.ADDRESS_ONLY
    contact = contact_by_email(office=office, email=inquiry.email)
    if contact is not None:  # step 2
        inquiry.contact = contact
        inquiry.save(update_fields=["contact", "updated_at"])
        _step(
            inquiry,
            "known_contact",
            f"E-Mail-Adresse gehört zu Kontakt {contact}",
            activity=Activity.Type.INQUIRY,
        )
        if address_only:
            _link_prospect(inquiry, contact)
            _finish(
                inquiry,
                Inquiry.Status.ADDRESS_ONLY,
                f"Ausnahme „{rule.name}“: nur Adresse (Kontakt bestand bereits).",
            )  # type: ignore[union-attr]
            return ""
        return "expose"
    if address_only or not cfg.double_opt_in:  # step 4 without double opt-in
        contact = _contact_from_inquiry(inquiry, cfg)
        if contact is None:
            return ""
        if address_only:
            _link_prospect(inquiry, contact)
            _finish(inquiry, Inquiry.Status.ADDRESS_ONLY, f"Ausnahme „{rule.name}“: nur Adresse angelegt.")  # type: ignore[union-attr]
            return ""
        return "expose"
    # step 3: double opt-in
    token = secrets.token_urlsafe(32)  # 256 random bits; only the hash is kept
    inquiry.token_hash = _token_hash(token)
    inquiry.token_expires_at = timezone.now() + dt.timedelta(days=cfg.confirmation_days)
    inquiry._confirm_token = token  # type: ignore[attr-defined]  # for the mail sent after commit
    _finish(inquiry, Inquiry.Status.WAITING, "Bestätigung der E-Mail-Adresse angefordert.")
    return "confirm"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_url(token: str, *, office_id: int | None = None) -> str:
    return absolute_url(reverse("inquiries:confirm", args=[token]), office=office_id)


def _send_confirmation(inquiry: Inquiry) -> None:
    token = inquiry._confirm_token  # type: ignore[attr-defined]
    claimed = Inquiry.objects.filter(pk=inquiry.pk, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now()
    )
    if not claimed:
        return
    from maklerwerk.inquiries import sending

    cfg = settings_for(inquiry.office)
    try:
        sending.send_confirmation(
            inquiry=inquiry,
            url=confirmation_url(token, office_id=inquiry.office_id),
            valid_days=cfg.confirmation_days,
        )
    except Exception as exc:
        logger.warning("confirmation mail for inquiry %s failed: %s", inquiry.pk, exc)
        Inquiry.objects.filter(pk=inquiry.pk).update(confirmation_sent_at=None)
        with transaction.atomic():
            _finish(
                inquiry, Inquiry.Status.ABORTED, f"Bestätigungs-E-Mail konnte nicht gesendet werden: {exc}"
            )
            _step(inquiry, "confirmation_mail", inquiry.reason, ok=False, activity=Activity.Type.EMAIL_SENT)
        return
    _step(
        inquiry,
        "confirmation_mail",
        f"Bestätigungs-E-Mail (Double-Opt-in) an {inquiry.email} gesendet",
        activity=Activity.Type.EMAIL_SENT,
    )


def _send_expose(inquiry: Inquiry) -> None:
    """Step 5: the exposé, at most once per inquiry (claimed before sending)."""
    from maklerwerk.inquiries import sending

    cfg = settings_for(inquiry.office)
    if not cfg.send_expose:
        with transaction.atomic():
            if inquiry.contact is not None:
                _link_prospect(inquiry, inquiry.contact)
            _finish(inquiry, Inquiry.Status.COMPLETED, "Exposé-Versand ist ausgeschaltet.")
        return
    claimed_at = timezone.now()
    claimed = Inquiry.objects.filter(pk=inquiry.pk, expose_claimed_at__isnull=True).update(
        expose_claimed_at=claimed_at
    )
    if not claimed:
        return
    inquiry.expose_claimed_at = claimed_at  # later full saves of this instance keep the claim
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
            _finish(inquiry, Inquiry.Status.ABORTED, f"Exposé konnte nicht gesendet werden: {exc}")
            _step(inquiry, "expose", inquiry.reason, ok=False)
        return
    with transaction.atomic():
        inquiry.expose_sent_at = timezone.now()
        _finish(inquiry, Inquiry.Status.COMPLETED, "")
        # The activity "Exposé versendet" (contact and property) and the interest status "exposé
        # sent" are written by the exposé app's offer (recipient_sent); the step is the inquiry's own.
        _step(inquiry, "expose", f"Exposé {prop.external_id} (PDF) an {inquiry.email} gesendet")
        from maklerwerk.inquiries.processes import processes_start

        processes_start(trigger="expose_sent", inquiry=inquiry, contact=contact)


# --- double opt-in confirmation -----------------------------------------------------------------


class ConfirmationInvalid(ApplicationError):
    """`kind` is "unknown", "used" or "expired"; the public page words each one in German."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def confirmation_resolve(token: str) -> Inquiry:
    if not token or len(token) > 100:
        raise ConfirmationInvalid("unknown")
    inquiry = (
        Inquiry.objects.select_related("office", "property").filter(token_hash=_token_hash(token)).first()
    )
    if inquiry is None:
        raise ConfirmationInvalid("unknown")
    if inquiry.confirmed_at is not None or inquiry.status != Inquiry.Status.WAITING:
        raise ConfirmationInvalid(
            "expired" if inquiry.status == Inquiry.Status.ABORTED and inquiry.confirmed_at is None else "used"
        )
    if inquiry.token_expires_at and inquiry.token_expires_at <= timezone.now():
        raise ConfirmationInvalid("expired")
    return inquiry


CONFIRM_FIELDS = (
    "salutation",
    "first_name",
    "last_name",
    "phone",
    "street",
    "house_number",
    "postal_code",
    "city",
)


def inquiry_confirm(*, token: str, data: dict[str, Any]) -> Inquiry:
    """The prospect confirmed the e-mail address and completed the data (step 4, then 5).

    The claim (confirmed_at) and the contact are written in one transaction: a second click or a
    concurrent request finds the claim taken and gets ConfirmationInvalid("used").
    """
    inquiry = confirmation_resolve(token)
    with transaction.atomic():
        claimed = Inquiry.objects.filter(
            pk=inquiry.pk,
            status=Inquiry.Status.WAITING,
            confirmed_at__isnull=True,
            token_expires_at__gt=timezone.now(),
        ).update(confirmed_at=timezone.now())
        if not claimed:
            raise ConfirmationInvalid("used")
        inquiry = Inquiry.objects.select_related(
            "office", "property", "mailbox__main_user", "assigned_to"
        ).get(pk=inquiry.pk)
        for key in CONFIRM_FIELDS:
            if key in data and data[key] is not None:
                setattr(inquiry, key, str(data[key]).strip())
        inquiry.save()
        _step(
            inquiry,
            "confirmed",
            f"{inquiry.display_name} hat die E-Mail-Adresse bestätigt und die Anschrift ergänzt",
            activity=Activity.Type.INQUIRY,
        )
        cfg = settings_for(inquiry.office)
        contact = contact_by_email(office=inquiry.office, email=inquiry.email)
        if contact is not None:
            inquiry.contact = contact
            inquiry.save(update_fields=["contact", "updated_at"])
            _step(inquiry, "known_contact", f"E-Mail-Adresse gehört inzwischen zu Kontakt {contact}")
        else:
            contact = _contact_from_inquiry(inquiry, cfg)
        if contact is None:
            return inquiry
    _send_expose(inquiry)
    inquiry.refresh_from_db()
    return inquiry


def confirmation_validate(*, office: Office, data: dict[str, Any]) -> None:
    """Check the completed data like the contact form would (German messages per field)."""
    from maklerwerk.contacts.services import contact_validate

    contact_validate(
        office=office,
        data={
            "phones": [{"value": data["phone"]}] if data.get("phone") else [],
            "postal_code": data.get("postal_code", ""),
            "last_name": data.get("last_name", ""),
            "first_name": data.get("first_name", ""),
        },
    )


def inquiries_expire(*, now: dt.datetime | None = None) -> int:
    """Unconfirmed inquiries past their link's expiry are aborted with a reason. Returns how many."""
    now = now or timezone.now()
    count = 0
    for inquiry in Inquiry.objects.filter(
        status=Inquiry.Status.WAITING, confirmed_at__isnull=True, token_expires_at__lte=now
    ).select_related("office"):
        with transaction.atomic():
            if not Inquiry.objects.filter(
                pk=inquiry.pk, status=Inquiry.Status.WAITING, confirmed_at__isnull=True
            ).update(
                status=Inquiry.Status.ABORTED,
                reason="Bestätigung abgelaufen: der Interessent hat den Link nicht rechtzeitig bestätigt.",
            ):
                continue
            inquiry.refresh_from_db()
            _step(inquiry, "expired", inquiry.reason, ok=False, activity=Activity.Type.INQUIRY)
            count += 1
    return count


def inquiry_retry(*, inquiry: Inquiry, acting_user: User) -> Inquiry:
    """Run the automation again for an inquiry that stopped (e.g. after the property was activated)."""
    if inquiry.status not in (Inquiry.Status.IGNORED, Inquiry.Status.NEW, Inquiry.Status.ABORTED):
        raise ApplicationError("Diese Anfrage kann nicht erneut verarbeitet werden.")
    if inquiry.confirmed_at or inquiry.expose_sent_at:
        raise ApplicationError("Diese Anfrage wurde bereits bestätigt oder beantwortet.")
    Inquiry.objects.filter(pk=inquiry.pk).update(
        status=Inquiry.Status.NEW, automation_claimed_at=None, reason=""
    )
    _step(inquiry, "retry", f"Erneute Verarbeitung durch {acting_user}")
    return inquiry_automate(inquiry_id=inquiry.pk)


# --- mailboxes -----------------------------------------------------------------------------------


def _mailbox_snapshot(mailbox: Mailbox) -> dict[str, Any]:
    from maklerwerk.core.history import snapshot

    data = snapshot(mailbox)
    data.pop("password_encrypted", None)  # never in the history, not even encrypted
    data.pop("last_error", None)
    data.pop("last_status", None)
    data.pop("last_fetch_at", None)
    return data


MAILBOX_FIELDS = ("name", "host", "port", "security", "username", "folder", "action", "move_to", "active")


@transaction.atomic
def mailbox_create(*, office: Office, acting_user: User, data: dict[str, Any]) -> Mailbox:
    from maklerwerk.core.history import history_record
    from maklerwerk.core.models import ChangeLog

    main_user_id = data.get("main_user_id") or acting_user.pk
    if not office.users.filter(pk=main_user_id, is_active=True).exists():
        raise ValidationError({"main_user_id": ["Dieser Benutzer gehört nicht zu Ihrem Büro."]})
    mailbox = Mailbox(office=office, main_user_id=main_user_id)
    for key in MAILBOX_FIELDS:
        if data.get(key) is not None:
            setattr(mailbox, key, data[key])
    if not mailbox.name:
        mailbox.name = f"{mailbox.username}@{mailbox.host}"[:100]
    mailbox.full_clean(exclude=["office", "main_user"])
    mailbox.set_password(data.get("password") or "")
    mailbox.save()
    history_record(
        instance=mailbox,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE,
        after=_mailbox_snapshot(mailbox),
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox: Mailbox, acting_user: User, data: dict[str, Any]) -> Mailbox:
    from maklerwerk.core.history import history_record
    from maklerwerk.core.models import ChangeLog

    before = _mailbox_snapshot(Mailbox.objects.get(pk=mailbox.pk))
    for key in MAILBOX_FIELDS:
        if data.get(key) is not None:
            setattr(mailbox, key, data[key])
    if data.get("main_user_id"):
        if not mailbox.office.users.filter(pk=data["main_user_id"], is_active=True).exists():  # type: ignore[attr-defined]
            raise ValidationError({"main_user_id": ["Dieser Benutzer gehört nicht zu Ihrem Büro."]})
        mailbox.main_user_id = data["main_user_id"]
    if data.get("password"):
        mailbox.set_password(data["password"])
    mailbox.full_clean(exclude=["office", "main_user"])
    mailbox.save()
    history_record(
        instance=mailbox,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_mailbox_snapshot(mailbox),
    )
    return mailbox
