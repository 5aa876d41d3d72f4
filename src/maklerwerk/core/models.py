from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """Something that happened with a contact and/or a property (e-mail sent, call, viewing, ...)."""

    class Type(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Phone call")
        EMAIL_SENT = "email_sent", _("E-mail sent")
        EMAIL_RECEIVED = "email_received", _("E-mail received")
        EXPOSE_SENT = "expose_sent", _("Exposé sent")
        VIEWING = "viewing", _("Viewing")
        ONLINE_VIEWING = "online_viewing", _("Online viewing")
        MEETING = "meeting", _("Meeting")
        DOCUMENT_OPENED = "document_opened", _("Document opened")
        LETTER = "letter", _("Letter")
        INQUIRY = "inquiry", _("Inquiry")
        TASK = "task", _("Task")
        SYSTEM = "system", _("System")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="activities")
    type = models.CharField(_("type"), max_length=30, choices=Type.choices, db_index=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    property = models.ForeignKey(
        "properties.Property",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("property"),
    )
    further_contacts = models.ManyToManyField(
        "contacts.Contact",
        blank=True,
        related_name="shared_activities",
        verbose_name=_("further contacts"),
        help_text=_("Everyone else who took part, e.g. the partner at a viewing"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["office", "-occurred_at", "-id"], name="activity_office_recent"),
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_recent"),
            models.Index(fields=["property", "-occurred_at"], name="activity_property_recent"),
        ]

    def __str__(self) -> str:
        return self.subject

    # What an agent logs by hand (the form offers these); the rest is written by the product itself.
    MANUAL_TYPES = (Type.CALL, Type.NOTE, Type.VIEWING, Type.MEETING, Type.LETTER)


class ChangeLog(models.Model):
    """Field-level change history (who, when, field, old, new) for personal and property data."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        MERGE = "merge", _("merged")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, null=True, related_name="+")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    # The changed row. Declared so code that follows generic relations (a contact merge moving the
    # merged contact's history to the survivor) finds the history too.
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change history")
        ordering = ["-at", "-id"]
        # The order of a history tab, whole: a page is an index range even before the statistics
        # know the object has thousands of entries (a sort of them all otherwise).
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at", "-id"], name="changelog_object_at_id")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class Job(models.Model):
    """Progress of a long-running background job, polled by the UI and the API."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, null=True, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    percent = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Crash safety (core.jobs): the arguments to run it again, who runs it and until when that holds.
    params = models.JSONField(_("arguments"), default=dict, blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    resumed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resumed_by"
    )

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.SUCCEEDED, self.State.FAILED}
