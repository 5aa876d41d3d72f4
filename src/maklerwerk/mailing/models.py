"""Mail and letter templates, sent mails (with Message-ID), and users' own SMTP accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.crypto import decrypt, encrypt
from maklerwerk.core.validation import SingleLineFields


class MailTemplate(SingleLineFields, models.Model):
    """A mail or letter with placeholders ({{ kontakt.briefanrede }}); see templating.py."""

    class Kind(models.TextChoices):
        MAIL = "mail", _("E-mail")
        LETTER = "letter", _("Letter")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIL)
    key = models.SlugField(
        _("key"), max_length=50, blank=True, help_text=_("Set for the default templates, e.g. expose")
    )
    language = models.CharField(_("language"), max_length=5, default="de")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="mailtemplate_name_per_office"),
        ]

    def __str__(self) -> str:
        return self.name


class OutgoingMail(models.Model):
    """A mail we handed to the SMTP server: what was sent, to whom, with which Message-ID."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    property = models.ForeignKey(
        "properties.Property", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        MailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_email = models.CharField(_("from"), max_length=300)
    to_email = models.CharField(_("to"), max_length=300)
    reply_to = models.CharField(_("reply to"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)  # [{name, size, sha256}]
    headers = models.TextField(_("headers"), blank=True)  # the MIME headers as sent
    message_id = models.CharField(_("Message-ID"), max_length=300, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    error = models.CharField(_("error"), max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["office", "-sent_at"], name="outgoingmail_office_recent")]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


KEY_PURPOSE = "mailing.smtp"  # HKDF info of the password key: never change it


class SmtpSettings(models.Model):
    """A user's own SMTP account; without one, mails go out over the office's `EMAIL_URL`."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (usually port 587)")
        SSL = "ssl", _("SSL/TLS (usually port 465)")
        NONE = "none", _("none (only inside a trusted network)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="smtp_settings"
    )
    active = models.BooleanField(_("send my mails over this account"), default=True)
    host = models.CharField(_("server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)  # see set_password
    from_email = models.EmailField(_("sender address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SMTP settings")
        verbose_name_plural = _("SMTP settings")

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def set_password(self, password: str) -> None:
        """Stored encrypted (`core.crypto`, a key of its own derived from SECRET_KEY)."""

        self.password_encrypted = encrypt(password, purpose=KEY_PURPOSE) if password else ""

    def get_password(self) -> str:
        """The plain password, to log in; raises `core.crypto.SecretUnreadable` after a key change."""

        return decrypt(self.password_encrypted, purpose=KEY_PURPOSE) if self.password_encrypted else ""
