"""Inquiry manager: mailboxes, processed mails, inquiries with their steps, exceptions, processes.

The mail side copies paperless-ngx `paperless_mail/models.py`: `Mailbox` (MailAccount),
`InquiryRule` (MailRule: ordered exceptions) and `ProcessedMail` (each message handled once).
"""

from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.inquiries.crypto import decrypt, encrypt
from maklerwerk.properties.models import PropertyContact


class Source(models.TextChoices):
    IMMOSCOUT24 = "immoscout24", "ImmobilienScout24"
    IMMOWELT = "immowelt", "immowelt"
    KLEINANZEIGEN = "kleinanzeigen", "Kleinanzeigen"
    OPENIMMO = "openimmo", _("OpenImmo-Feedback (other portal)")
    WEBSITE = "website", _("Website form")
    TOUR = "tour", _("Virtual tour registration")
    UNKNOWN = "unknown", _("Unknown")


class Mailbox(models.Model):
    """An IMAP mailbox the inquiry manager reads. The password is stored encrypted."""

    class Security(models.TextChoices):
        NONE = "none", _("none")
        STARTTLS = "starttls", "STARTTLS"
        SSL = "ssl", "SSL/TLS"

    class Action(models.TextChoices):
        FLAG = "flag", _("Mark as processed (keyword)")
        MOVE = "move", _("Move to folder")

    class Status(models.TextChoices):
        NEVER = "never", _("not yet fetched")
        OK = "ok", _("OK")
        ERROR = "error", _("Error")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("encryption"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    action = models.CharField(
        _("after processing"), max_length=10, choices=Action.choices, default=Action.FLAG
    )
    move_to = models.CharField(
        _("move to folder"), max_length=200, default="Maklerwerk/Verarbeitet", blank=True
    )
    main_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("main user"),
        help_text=_("Inquiries are processed with this user's rights and assigned to them."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEVER)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_fetch_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def set_password(self, password: str) -> None:

        self.password_encrypted = encrypt(password)

    def get_password(self) -> str:

        return decrypt(self.password_encrypted) if self.password_encrypted else ""


class InquirySettings(models.Model):
    """How the office wants inquiries handled (one row per office, created on first use)."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=True,
        help_text=_("New prospects confirm their e-mail address and complete their address first."),
    )
    confirmation_days = models.PositiveSmallIntegerField(_("confirmation link valid for (days)"), default=7)
    send_expose = models.BooleanField(_("send the exposé automatically"), default=True)
    # What happens on a duplicate is the office's inquiry intake rule (duplicates.DuplicateSettings).
    expose_template = models.ForeignKey(
        "mailing.MailTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template of the exposé mail"),
        help_text=_("Empty: the default template “Exposé-Versand”."),
    )
    processes_installed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("inquiry settings")
        verbose_name_plural = _("inquiry settings")

    def __str__(self) -> str:
        return str(self.office)


class InquiryRule(models.Model):
    """An exception the office configures: inquiries that match get no automation, or only a contact.

    Empty criteria match everything; all given criteria must match. Rules are tried by `order`.
    """

    class Action(models.TextChoices):
        NO_AUTOMATION = "no_automation", _("No automation")
        ADDRESS_ONLY = "address_only", _("Only create the address")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.CharField(_("portal"), max_length=20, choices=Source.choices, blank=True)
    property = models.ForeignKey(
        "properties.Property",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property"),
    )
    object_kind = models.CharField(_("object kind"), max_length=40, blank=True)
    marketing_type = models.CharField(_("marketing type"), max_length=20, blank=True)
    keyword = models.CharField(_("keyword in the message"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class PortalListing(models.Model):
    """A property's id on a portal (Scout-ID, immowelt Online-ID, Kleinanzeigen Anzeigennummer)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("portal"), max_length=20, choices=Source.choices)
    portal_id = models.CharField(_("portal id"), max_length=100)

    class Meta:
        verbose_name = _("portal listing")
        verbose_name_plural = _("portal listings")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "source", "portal_id"], name="inquiry_portal_listing_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.portal_id}"


class Inquiry(models.Model):
    """One prospect's request (Anfrage), from a portal mail or the website form."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet read")
        NEW = "new", _("New")
        WAITING = "waiting_for_confirmation", _("Waiting for confirmation")
        COMPLETED = "completed", _("Completed")
        ABORTED = "aborted", _("Automation aborted")
        UNRECOGNIZED = "unrecognized", _("Not recognised")
        IGNORED = "ignored", _("Ignored")
        ADDRESS_ONLY = "address_only", _("Address only")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="inquiries"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.UNKNOWN)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.NEW, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    raw = models.BinaryField(blank=True, default=b"")
    text = models.TextField(_("mail text"), blank=True)
    problems = models.JSONField(default=list, blank=True)
    # What the prospect told us
    salutation = models.CharField(_("salutation"), max_length=10, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    property_external_id = models.CharField(_("property reference"), max_length=100, blank=True)
    portal_property_id = models.CharField(_("portal id"), max_length=100, blank=True)
    property_title = models.CharField(_("property (as named by the portal)"), max_length=300, blank=True)
    # What we made of it
    property = models.ForeignKey(
        "properties.Property",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    duplicate_of = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("probable duplicate of"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    # Idempotency claims: each is set once with a conditional UPDATE before the side effect.
    automation_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    expose_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    expose_sent_at = models.DateTimeField(_("exposé sent"), null=True, blank=True)
    # The offer (exposé app) that carries this inquiry's exposé: one recipient, sent at most once.
    expose_offer = models.ForeignKey(
        "exposes.Offer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["office", "-received_at"], name="inquiry_office_recent")]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p) or self.email or self.sender
        return f"{self.get_source_display()}: {name}" if name else str(self.get_source_display())

    @builtins.property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email or "–"


class InquiryStep(models.Model):
    """One thing the automation did or decided, shown on the inquiry in order."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    ok = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text


class ProcessedMail(models.Model):
    """A message of a mailbox that was taken in. The unique key makes every message count once,
    however often it is fetched and however many workers fetch at the same time."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("in progress")
        DONE = "done", _("processed")
        FAILED = "failed", _("failed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="processed")
    folder = models.CharField(max_length=200)
    uid = models.PositiveBigIntegerField()
    uid_validity = models.PositiveBigIntegerField(default=0)
    message_id = models.CharField(max_length=250, blank=True)
    content_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLAIMED)
    error = models.CharField(max_length=500, blank=True)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id", "content_hash"], name="processed_mail_once_per_mailbox"
            )
        ]
        indexes = [models.Index(fields=["mailbox", "uid_validity", "uid"], name="processed_mail_uid")]

    def __str__(self) -> str:
        return f"{self.mailbox_id}/{self.uid}"


# --- Process manager (Prozessmanager) -------------------------------------------------------------


class ProcessDefinition(models.Model):
    """A follow-up process the office configures, started by a trigger."""

    class Trigger(models.TextChoices):
        CONTACT_CREATED = "contact_created", _("Address created by an inquiry")
        EXPOSE_SENT = "expose_sent", _("Exposé sent")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    trigger = models.CharField(_("starts when"), max_length=30, choices=Trigger.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of a process. `params` by kind: wait {days, hours}; send_mail {subject, body};
    create_task {title, due_days}; set_interest_status {status}; add_tag {tag}."""

    class Kind(models.TextChoices):
        WAIT = "wait", _("Wait")
        SEND_MAIL = "send_mail", _("Send e-mail")
        CREATE_TASK = "create_task", _("Create a task for the responsible agent")
        SET_INTEREST_STATUS = "set_interest_status", _("Set the interest status")
        ADD_TAG = "add_tag", _("Add a tag")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=30, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "position"], name="process_step_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"

    @property
    def summary(self) -> str:
        """The step in a few words, for the process list ("Warten: 3 Tage")."""
        from django.utils.translation import gettext, ngettext

        p = self.params or {}
        if self.kind == self.Kind.WAIT:
            days, hours = p.get("days") or 0, p.get("hours") or 0
            parts = [ngettext("%(n)s day", "%(n)s days", days) % {"n": days}] if days else []
            parts += [ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}] if hours else []
            return gettext("Wait %(time)s") % {"time": " + ".join(parts)}
        if self.kind == self.Kind.SEND_MAIL:
            return gettext("Send e-mail “%(subject)s”") % {"subject": p.get("subject", "")}
        if self.kind == self.Kind.CREATE_TASK:
            return gettext("Task “%(title)s”, due after %(days)s days") % {
                "title": p.get("title", ""),
                "days": p.get("due_days") or 0,
            }
        if self.kind == self.Kind.SET_INTEREST_STATUS:
            labels = dict(PropertyContact.InterestStatus.choices)
            return gettext("Interest status: %(status)s") % {"status": labels.get(p.get("status", ""), "")}
        return gettext("Add tag “%(tag)s”") % {"tag": p.get("tag", "")}


class ProcessInstance(models.Model):
    """A process running for one contact (and property). `position` is the next step to run."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="instances")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey(
        "properties.Property", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inquiry = models.ForeignKey(Inquiry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    position = models.PositiveSmallIntegerField(default=0)
    next_run_at = models.DateTimeField(_("next step at"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("running process")
        verbose_name_plural = _("running processes")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # A trigger fires once per contact, property and process, however often it is reported.
            models.UniqueConstraint(
                fields=["definition", "contact", "property", "inquiry"], name="process_instance_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_run_at"], name="process_instance_due")]

    def __str__(self) -> str:
        return f"{self.definition} – {self.contact}"


class ProcessStepRun(models.Model):
    """The record that a step ran; unique per instance and position, so it runs exactly once."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="runs")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=True)
    result = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["instance", "position"], name="process_step_run_once")]

    def __str__(self) -> str:
        return f"{self.instance_id}#{self.position}"
