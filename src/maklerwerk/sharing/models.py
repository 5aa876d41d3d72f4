"""Document clouds per property, personal share links, consent and access tracking.

No foreign key to `properties.PropertyDocument`: the cloud shows the property's protected documents
by query, and tracking rows keep a (source, id, name, size) snapshot of the file.
"""

from __future__ import annotations

import builtins
import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields

DEFAULT_LINK_DAYS = 30


def _random_key() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits; the opaque id of a file in public URLs


def _default_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=DEFAULT_LINK_DAYS)


class SharingSettings(models.Model):
    """Office-level options of document sharing."""

    office = models.OneToOneField(
        "accounts.Office", on_delete=models.CASCADE, related_name="sharing_settings"
    )
    consent_gate = models.BooleanField(
        _("consent gate"),
        default=True,
        help_text=_("Visitors accept the cancellation notice (and terms) before they see documents"),
    )
    require_terms = models.BooleanField(_("also require the terms (AGB)"), default=True)

    class Meta:
        verbose_name = _("sharing settings")
        verbose_name_plural = _("sharing settings")

    def __str__(self) -> str:
        return str(self.office)


class DocumentCloud(models.Model):
    """Exactly one per property: its protected documents plus the agent's extra files and folders."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    property = models.OneToOneField(
        "properties.Property", on_delete=models.CASCADE, related_name="document_cloud"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document cloud")
        verbose_name_plural = _("document clouds")

    def __str__(self) -> str:
        return str(self.property)


class CloudFolder(models.Model):
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    cloud = models.ForeignKey(DocumentCloud, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["cloud", "name"], name="cloud_folder_name_unique")]

    def __str__(self) -> str:
        return self.name


def _cloud_file_path(instance: CloudFile, filename: str) -> str:
    return f"sharing/{instance.cloud_id}/{instance.key}/{filename}"


def _personal_file_path(instance: PersonalFile, filename: str) -> str:
    return f"sharing/{instance.cloud_id}/personal/{instance.contact_id}/{instance.key}/{filename}"


class CloudFile(models.Model):
    """An extra file the agent put into the cloud (seen by everyone with a link to the property)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    cloud = models.ForeignKey(DocumentCloud, on_delete=models.CASCADE, related_name="files")
    folder = models.ForeignKey(
        CloudFolder, on_delete=models.SET_NULL, null=True, blank=True, related_name="files"
    )
    key = models.CharField(max_length=32, unique=True, default=_random_key, editable=False)
    file = models.FileField(_("file"), upload_to=_cloud_file_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cloud file")
        verbose_name_plural = _("cloud files")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PersonalFile(models.Model):
    """A file only one contact sees in their link to this property (e.g. a draft contract)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    cloud = models.ForeignKey(DocumentCloud, on_delete=models.CASCADE, related_name="personal_files")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32, unique=True, default=_random_key, editable=False)
    file = models.FileField(_("file"), upload_to=_personal_file_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal file")
        verbose_name_plural = _("personal files")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["cloud", "contact"], name="personal_file_cloud_contact")]

    def __str__(self) -> str:
        return self.name


class ShareLink(SingleLineFields, models.Model):
    """A personal, expiring link of one contact to one property's documents.

    The URL token is never stored: only its SHA-256 hash (for look-up) and a random seed from which
    the server re-derives the token with a key of its own (see `services.share_link_token`), so the
    agent can copy the link again later while a copy of the database alone opens nothing.
    """

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    cloud = models.ForeignKey(DocumentCloud, on_delete=models.CASCADE, related_name="links")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    token_seed = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"), default=_default_expiry)
    consent_required = models.BooleanField(_("consent required"), default=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("opened"), default=0)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "contact", "property"], name="sharelink_contact_property"),
            models.Index(fields=["property", "-created_at"], name="sharelink_property_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} → {self.property}"

    @builtins.property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @builtins.property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class AccessDeactivation(models.Model):
    """This contact's access to this cloud is switched off (all their links), until ticked again."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    cloud = models.ForeignKey(DocumentCloud, on_delete=models.CASCADE, related_name="deactivations")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deactivated access")
        verbose_name_plural = _("deactivated access")
        constraints = [
            models.UniqueConstraint(fields=["cloud", "contact"], name="access_deactivation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ✕ {self.cloud}"


class ConsentAcceptance(models.Model):
    """The visitor of a link accepted the office's legal texts (evidence for commission claims)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="consents")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    text_version = models.CharField(_("text version"), max_length=64)
    cancellation_notice_sha256 = models.CharField(max_length=64)
    terms_sha256 = models.CharField(max_length=64, blank=True)
    accepted_text = models.TextField(_("accepted text"))
    ip_coarse = models.CharField(_("network"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at", "-id"]
        indexes = [models.Index(fields=["link", "text_version"], name="consent_link_version")]

    def __str__(self) -> str:
        return f"{self.contact} {self.accepted_at:%Y-%m-%d %H:%M}"


class AccessEvent(models.Model):
    """A page view or a download through a share link (repeats on the same day counted, not added)."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Page viewed")
        DOWNLOAD = "download", _("File downloaded")
        ZIP = "zip", _("Downloaded as ZIP")

    class Source(models.TextChoices):
        PROPERTY_DOCUMENT = "property_document", _("Property document")
        CLOUD_FILE = "cloud_file", _("Cloud file")
        PERSONAL_FILE = "personal_file", _("Personal file")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="events")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    file_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    file_id = models.PositiveBigIntegerField(null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_coarse = models.CharField(_("network"), max_length=64, blank=True)
    # Repeats of the same access (same link, action, file, network and browser on the same day) are
    # counted on the first row instead of adding rows: `at` stays the first time (the evidence),
    # `last_at` is the latest repeat.
    count = models.PositiveIntegerField(_("times"), default=1)
    last_at = models.DateTimeField(_("last time"), null=True, blank=True)

    class Meta:
        verbose_name = _("access")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["link", "-at"], name="access_event_link"),
            models.Index(fields=["contact", "-at"], name="access_event_contact"),
            models.Index(fields=["property", "-at"], name="access_event_property"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}".strip()
