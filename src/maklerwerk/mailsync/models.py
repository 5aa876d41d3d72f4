"""Each user's own mailboxes and the office's mail archive.

A `MailAccount` is one IMAP mailbox of one user (password or XOAUTH2 access token, encrypted with
`core.crypto` under a key of its own). `FolderState` remembers per folder where the archive stopped:
(UIDVALIDITY, last UID). `ArchivedMail` is the office-wide claim of one message, unique on its key
(the Message-ID, or a hash of date, addresses, subject and the start of the body when it has none):
the same mail in INBOX and Sent, in two colleagues' mailboxes, after a move or a UIDVALIDITY change
finds its row and never becomes a second activity. `MailBlob` stores an attachment once by hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.crypto import decrypt, encrypt
from maklerwerk.core.validation import SingleLineFields

KEY_PURPOSE = "mailsync.account"  # HKDF info of the password key: never change it


class MailAccount(SingleLineFields, models.Model):
    class Security(models.TextChoices):
        SSL = "ssl", "SSL/TLS"
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", _("none (only inside a trusted network)")

    class Auth(models.TextChoices):
        PASSWORD = "login", _("Password")
        XOAUTH2 = "xoauth2", _("OAuth 2.0 access token (Microsoft 365, Google)")

    class Status(models.TextChoices):
        NEVER = "never", _("not yet synced")
        OK = "ok", _("OK")
        ERROR = "error", _("Error")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_accounts")
    email = models.EmailField(_("e-mail address"))
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("encryption"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    auth = models.CharField(_("login method"), max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    password_encrypted = models.TextField(blank=True, editable=False)
    # XOAUTH2 with a refresh token: the access token (in `password_encrypted`) is renewed at the
    # provider's token endpoint before it runs out (mailsync/oauth.py).
    oauth_token_url = models.URLField(_("token endpoint"), max_length=500, blank=True)
    oauth_client_id = models.CharField(_("client ID"), max_length=300, blank=True)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Lower-case "host|username": one mailbox is connected once (unique across all users).
    mailbox_key = models.CharField(max_length=420, unique=True, editable=False)
    folders = models.JSONField(_("further folders to archive"), default=list, blank=True)
    sent_folder = models.CharField(_("sent folder"), max_length=200, blank=True)
    append_sent = models.BooleanField(_("put mails sent from Maklerwerk into the sent folder"), default=True)
    active = models.BooleanField(_("active"), default=True)
    last_status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEVER)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_summary = models.CharField(_("last result"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mail account")
        verbose_name_plural = _("mail accounts")
        ordering = ["email", "pk"]

    def __str__(self) -> str:
        return self.email

    def set_password(self, password: str) -> None:
        self.password_encrypted = encrypt(password, purpose=KEY_PURPOSE) if password else ""

    def get_password(self) -> str:
        """Raises `core.crypto.SecretUnreadable` after a SECRET_KEY change."""
        return decrypt(self.password_encrypted, purpose=KEY_PURPOSE) if self.password_encrypted else ""

    def set_refresh_token(self, token: str) -> None:
        self.refresh_token_encrypted = encrypt(token, purpose=KEY_PURPOSE) if token else ""

    @property
    def refresh_token_set(self) -> bool:
        return bool(self.refresh_token_encrypted)

    def get_refresh_token(self) -> str:
        return (
            decrypt(self.refresh_token_encrypted, purpose=KEY_PURPOSE) if self.refresh_token_encrypted else ""
        )


class FolderState(models.Model):
    """Where the archive of one folder stopped: a new UIDVALIDITY starts it over (dedup keeps it once)."""

    account = models.ForeignKey(MailAccount, on_delete=models.CASCADE, related_name="folder_states")
    folder = models.CharField(max_length=200)
    uid_validity = models.PositiveBigIntegerField(default=0)
    last_uid = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "folder"], name="mailsync_folder_once")]

    def __str__(self) -> str:
        return f"{self.folder} ({self.uid_validity}/{self.last_uid})"


class MailBlob(models.Model):
    """An attachment's bytes, stored once per office by SHA-256."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="mailsync/blobs/", max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "sha256"], name="mailsync_blob_once")]

    def __str__(self) -> str:
        return self.sha256


class ArchivedMail(models.Model):
    """One message, once per office, whoever's mailbox and folder it was found in."""

    class State(models.TextChoices):
        ARCHIVED = "archived", _("archived")
        SKIPPED = "skipped", _("not archived")
        SENT_HERE = "sent_here", _("sent from Maklerwerk")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=300)  # "<message-id>" or "sha256:<hash>"
    state = models.CharField(max_length=10, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    account = models.ForeignKey(
        MailAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        "core.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thread_key = models.CharField(max_length=300, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    from_header = models.CharField(_("from"), max_length=500, blank=True)
    to_header = models.TextField(_("to"), blank=True)
    cc_header = models.TextField(_("cc"), blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    attachments = models.JSONField(default=list, blank=True)  # [{name, mimetype, size, sha256}]
    problems = models.JSONField(default=list, blank=True)  # German notes (broken MIME, ...)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "key"], name="mailsync_mail_once")]

    def __str__(self) -> str:
        return self.subject or self.key
