"""Office exposé templates, per-property exposé settings, and offers (Angebotsvorgänge)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExposeTemplate(models.Model):
    """An office's own exposé look: extra CSS and an optional closing page (HTML), on top of the default."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    css = models.TextField(
        _("CSS"), blank=True, help_text=_("Added after the default styles, e.g. colours and fonts.")
    )
    closing_html = models.TextField(
        _("closing page (HTML)"), blank=True, help_text=_("Optional last page, e.g. about the office.")
    )
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#1f4e79")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exposé template")
        verbose_name_plural = _("exposé templates")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PropertyExposeSettings(models.Model):
    """The template chosen for a property and optional links (e.g. a virtual tour, shown with a QR code)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.OneToOneField("properties.Property", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(ExposeTemplate, on_delete=models.SET_NULL, null=True, blank=True)
    virtual_tour_url = models.URLField(_("virtual tour"), blank=True)

    def __str__(self) -> str:
        return str(self.property_id)


class Offer(models.Model):
    """An offer process: one template, attachments and links, individual mails to recipients."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    mail_template = models.ForeignKey(
        "mailing.MailTemplate", on_delete=models.PROTECT, related_name="+", verbose_name=_("template")
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    attach_expose = models.BooleanField(_("attach the exposé (PDF)"), default=True)
    expose_template = models.ForeignKey(ExposeTemplate, on_delete=models.SET_NULL, null=True, blank=True)
    expose_language = models.CharField(_("exposé language"), max_length=5, default="de")
    document_ids = models.JSONField(_("documents"), default=list, blank=True)
    # Keys of `exposes.extras.OFFER_EXTRAS` attached to every mail (e.g. "tour_pdf").
    extras = models.JSONField(_("further attachments"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.created_at:%Y-%m-%d})"


class OfferRecipient(models.Model):
    """One mail of an offer: a contact and a property. Sent at most once (claimed by a conditional UPDATE)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")
        # The worker died between claiming and recording the mail: the agent decides (resend or delivered).
        UNCLEAR = "unclear", _("delivery unclear")

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    outgoing_mail = models.ForeignKey(
        "mailing.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        "core.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer recipient")
        verbose_name_plural = _("offer recipients")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "contact", "property"], name="offer_recipient_once"),
        ]
        indexes = [models.Index(fields=["offer", "status"], name="offer_recipient_status")]

    def __str__(self) -> str:
        return f"{self.contact_id}/{self.property_id}: {self.status}"
