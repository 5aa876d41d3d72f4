"""Data-protection records of an office: erasure requests, retention rules and marks, legal holds,
and the access log of who exported or viewed sensitive personal data."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maklerwerk.core.validation import SingleLineFields


def _one_month_later(when: dt.datetime) -> dt.date:
    """Art. 12 Abs. 3 DSGVO: a request is answered within one month of its receipt."""
    day = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class RetentionKind(models.TextChoices):
    """Kinds of records a retention duty keeps; the periods are in `privacy.rules` (office-adjustable)."""

    BUSINESS_LETTER = "business_letter", _("Business letter")
    CONTRACT = "contract", _("Brokerage contract")
    INVOICE = "invoice", _("Invoice or commission settlement")
    MABV = "mabv", _("MaBV record")
    GWG = "gwg", _("GwG record")
    EXPOSE_EVIDENCE = "expose_evidence", _("Exposé evidence")


class RetentionRule(SingleLineFields, models.Model):
    """An office's own period for a kind of record; without a row the default of `privacy.rules` holds."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("record"), max_length=30, choices=RetentionKind.choices)
    years = models.PositiveSmallIntegerField(_("years"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [models.UniqueConstraint(fields=["office", "kind"], name="retentionrule_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.years}"


class RetentionMark(models.Model):
    """A record marked as kept by a duty by hand, e.g. a contact file that is an invoice."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    section = models.CharField(_("section"), max_length=50)  # a PersonalDataSection key
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(_("record"), max_length=30, choices=RetentionKind.choices)
    document_date = models.DateField(_("document date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retention mark")
        verbose_name_plural = _("retention marks")
        constraints = [
            models.UniqueConstraint(fields=["section", "object_id", "kind"], name="retentionmark_once")
        ]

    def __str__(self) -> str:
        return f"{self.section}:{self.object_id} {self.kind}"


class LegalHold(SingleLineFields, models.Model):
    """A litigation hold: nothing of the contact is deleted while it is active, whatever the rules say."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return self.reason


class ErasureRequest(SingleLineFields, models.Model):
    """A request for erasure (Art. 17 DSGVO): who asked, when, what was decided and what happened."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESTRICTED = "restricted", _("executed, partly held")
        DONE = "done", _("executed")
        REFUSED = "refused", _("refused")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # Kept after the contact is anonymised (the contact row stays, only its data goes).
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    requested_by = models.CharField(_("requested by"), max_length=200)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    channel = models.CharField(_("received via"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    held_until = models.DateField(_("held until"), null=True, blank=True)  # the last hold's end
    # The first hold's end: the nightly sweep looks again the day after (something becomes free).
    next_release = models.DateField(_("next release"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["office", "status", "held_until"], name="erasure_office_due"),
            models.Index(fields=["status", "next_release"], name="erasure_next_release"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def due_on(self) -> dt.date:
        """The answer's deadline: one month from receipt (Art. 12 Abs. 3 DSGVO)."""
        return _one_month_later(self.requested_at)


class AccessLogEntry(models.Model):
    """Who exported or viewed sensitive personal data, when (the office's access log)."""

    class Action(models.TextChoices):
        DATA_EXPORT = "data_export", _("Data access export")
        EXPORT_DOWNLOAD = "export_download", _("Export downloaded")
        ERASURE = "erasure", _("Erasure executed")
        RESTRICTION = "restriction", _("Restriction changed")
        REQUEST = "request", _("Request decided")
        REGISTER = "register", _("Records of processing changed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_id = models.PositiveBigIntegerField(_("contact"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.contact_id}"


class ConsentRecord(models.Model):
    """One consent (or its withdrawal) of a contact, with its proof (Art. 7 Abs. 1 DSGVO, UWG §7)."""

    class Purpose(models.TextChoices):
        GENERAL_CONTACT = "general_contact", _("General contact")
        PROPERTY_CONTACT = "property_contact", _("Contact about properties")
        NEWSLETTER = "newsletter", _("Newsletter and offers")

    class Status(models.TextChoices):
        GRANTED = "granted", _("granted")
        PENDING = "pending", _("pending confirmation")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Channel(models.TextChoices):
        FORM = "form", _("web form")
        MAIL = "mail", _("e-mail")
        PHONE = "phone", _("phone")
        IN_PERSON = "in_person", _("in person")
        IMPORT = "import", _("import / earlier yes-no field")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribe link")
        CONTACT_RECORD = "contact_record", _("ticked on the contact record")
        OBJECTION = "objection", _("objection (Art. 21 GDPR)")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    text_version = models.CharField(_("text version"), max_length=64, blank=True)
    text_hash = models.CharField(_("text hash"), max_length=64, blank=True)  # SHA-256 of the text shown
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # Proof: double-opt-in confirmation time, coarse IP, the earlier field's source ...
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "purpose", "-recorded_at"], name="consent_contact_purpose")
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_status_display()}"


class SubjectRequest(SingleLineFields, models.Model):
    """A request for rectification (Art. 16 DSGVO) or an objection (Art. 21 DSGVO), tracked like the
    erasure requests: who asked, when, the deadline (one month, Art. 12 Abs. 3), status and result."""

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("Rectification (Art. 16 GDPR)")
        OBJECTION = "objection", _("Objection (Art. 21 GDPR)")

    class Scope(models.TextChoices):
        MARKETING = "marketing", _("Direct marketing (Art. 21 Abs. 2)")
        ALL = "all", _("All processing based on legitimate interest (Art. 21 Abs. 1)")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    channel = models.CharField(_("received via"), max_length=100, blank=True)
    details = models.TextField(_("what the person asks"), blank=True)
    due_on = models.DateField(_("answer due by"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.TextField(_("result"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["office", "status", "due_on"], name="subjectrequest_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.due_on is None:
            self.due_on = _one_month_later(self.requested_at)
        super().save(*args, **kwargs)


class PrivacySettings(models.Model):
    """An office's data-protection settings: the deletion of inactive prospects."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # Prospects without a deal and without any activity for this many months are proposed for
    # deletion (None: off).
    inactive_months = models.PositiveSmallIntegerField(
        _("delete inactive prospects after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(6), MaxValueValidator(120)],
        help_text=_("Prospects without a deal and without activity for this long are proposed for deletion."),
    )
    # Delete without asking: the nightly job executes the erasure instead of proposing it.
    inactive_delete_automatically = models.BooleanField(_("delete without review"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(self.office_id)


class InactiveProposal(models.Model):
    """An inactive prospect proposed for deletion, for the agent to review (or the result of the job)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        KEPT = "kept", pgettext_lazy("inactive prospect", "kept")  # "kept" is the merge page's word too
        ERASED = "erased", _("erased")
        HELD = "held", _("restricted, held by retention duties")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=300)  # as shown at the proposal
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # why kept
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    erasure = models.ForeignKey(
        ErasureRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deletion proposal")
        verbose_name_plural = _("deletion proposals")
        ordering = ["last_activity_at", "id"]
        indexes = [models.Index(fields=["office", "status"], name="inactiveproposal_status")]

    def __str__(self) -> str:
        return self.contact_name


class ProcessingRegister(models.Model):
    """The office's Verarbeitungsverzeichnis (Art. 30 DSGVO): what an administrator changed of the
    generated document (`privacy.register`); the rest is generated from settings and data each time."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # {"controller": "...", "dpo": "...", "activities": {"<key>": {"<field>": "text"}}}
    edits = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("records of processing activities")
        verbose_name_plural = _("records of processing activities")

    def __str__(self) -> str:
        return str(self.office_id)
