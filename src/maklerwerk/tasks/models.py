from __future__ import annotations

import builtins

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields, link_is_safe

# The keys the apps store in `Task.source` (the API may store any text, shown as it is).
SOURCE_LABELS = {
    "inquiry": _("Inquiry"),
    "process": _("Process"),
    "agent_day": _("Demo data"),
    "gwg": _("GwG file"),
}


class Task(SingleLineFields, models.Model):
    """Work for a user (Aufgabe), optionally about a contact and/or property."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("contact"),
    )
    property = models.ForeignKey(
        "properties.Property",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("property"),
    )
    link_url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("Where to do the work"))
    source = models.CharField(_("created by"), max_length=50, blank=True, help_text=_("e.g. inquiry manager"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_at", "due_at", "pk"]
        indexes = [
            models.Index(fields=["office", "done_at", "due_at"], name="task_office_open"),
            models.Index(fields=["assignee", "done_at", "due_at"], name="task_assignee_open"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.link_url and not link_is_safe(self.link_url):
            raise ValidationError(
                {"link_url": _("The link must start with https:// or http:// (or be a path of this site).")}
            )

    @builtins.property
    def safe_link_url(self) -> str:
        """The link, if it is safe to put in an href (rows stored before the check may not be)."""
        return self.link_url if self.link_url and link_is_safe(self.link_url) else ""

    @builtins.property
    def source_label(self) -> str:
        """Who made the task, as the list shows it ("Anfrage"), not the key the code stored."""
        return str(SOURCE_LABELS.get(self.source, self.source))

    # `property` is a field here, so the decorator must be named through builtins.
    @builtins.property
    def is_done(self) -> bool:
        return self.done_at is not None

    @builtins.property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()
