"""Portals an office publishes to, which property goes where, and the log of every transfer."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields
from maklerwerk.portals.crypto import decrypt, encrypt

DEFAULT_FILENAME_PATTERN = "{portal}-{anbieternr}-{timestamp}.zip"
IS24_API_URL = "https://rest.immobilienscout24.de"


class Portal(SingleLineFields, models.Model):
    """A portal account of the office: OpenImmo over FTP, or the ImmobilienScout24 REST API."""

    class Kind(models.TextChoices):
        OPENIMMO_FTP = "openimmo_ftp", _("OpenImmo via FTP")
        IS24 = "is24", "ImmobilienScout24"
        # The office's own website fetches the current package (always VOLL) from a secret URL.
        OPENIMMO_PULL = "openimmo_pull", _("Own website (OpenImmo pull URL)")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(_("short name (in file names)"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OPENIMMO_FTP)
    active = models.BooleanField(_("active"), default=False)
    # OpenImmo over FTP
    host = models.CharField(_("FTP server"), max_length=200, blank=True)
    port = models.PositiveIntegerField(
        _("port"), default=21, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, blank=True)
    passive = models.BooleanField(_("passive mode"), default=True)
    use_tls = models.BooleanField(_("FTPS (TLS)"), default=False)
    anbieternr = models.CharField(_("provider number (anbieternr)"), max_length=50, blank=True)
    openimmo_anid = models.CharField(_("OpenImmo ANID"), max_length=50, blank=True)
    full_transfer = models.BooleanField(_("full transfer (VOLL) every time"), default=False)
    send_references = models.BooleanField(
        _("show sold/let properties as references (REFERENZ)"), default=False
    )
    feed_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    contingent = models.PositiveIntegerField(_("contingent (max. listings)"), null=True, blank=True)
    picture_limit = models.PositiveSmallIntegerField(_("max. pictures per listing"), null=True, blank=True)
    picture_max_kb = models.PositiveIntegerField(_("max. picture size (KB)"), default=2000)
    filename_pattern = models.CharField(
        _("file name pattern"), max_length=100, default=DEFAULT_FILENAME_PATTERN
    )
    techn_email = models.EmailField(_("e-mail for import logs"), blank=True)
    # ImmobilienScout24
    api_url = models.URLField(_("API address"), default=IS24_API_URL, blank=True)
    consumer_key = models.CharField(_("consumer key"), max_length=200, blank=True)
    consumer_secret_encrypted = models.TextField(blank=True, editable=False)
    access_token = models.CharField(_("access token"), max_length=200, blank=True)
    access_secret_encrypted = models.TextField(blank=True, editable=False)
    send_pdfs = models.BooleanField(_("send exposé and public documents as PDF"), default=False)
    last_status = models.CharField(max_length=200, blank=True, editable=False)
    # After a run stopped by something that passes (server unreachable or full, IS24's rate
    # limit): the periodic tick starts the next run of this portal no earlier than this.
    retry_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portal")
        verbose_name_plural = _("portals")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["office", "key"], name="portal_key_unique")]

    def __str__(self) -> str:
        return self.name

    def set_password(self, password: str) -> None:
        self.password_encrypted = encrypt(password)

    def get_password(self) -> str:
        return decrypt(self.password_encrypted)

    def set_secrets(self, *, consumer_secret: str | None = None, access_secret: str | None = None) -> None:
        if consumer_secret is not None:
            self.consumer_secret_encrypted = encrypt(consumer_secret)
        if access_secret is not None:
            self.access_secret_encrypted = encrypt(access_secret)

    def get_secret(self, which: str) -> str:
        """ "consumer" or "access": the IS24 secret, decrypted."""
        return decrypt(
            self.consumer_secret_encrypted if which == "consumer" else self.access_secret_encrypted
        )

    @property
    def password_set(self) -> bool:
        return bool(self.password_encrypted)

    @property
    def connected(self) -> bool:
        return bool(self.access_token and self.access_secret_encrypted)

    @property
    def writes_packages(self) -> bool:
        """OpenImmo portals get a ZIP per run (uploaded over FTP, or fetched from the pull URL)."""
        return self.kind in (self.Kind.OPENIMMO_FTP, self.Kind.OPENIMMO_PULL)

    @property
    def takes_references(self) -> bool:
        """Sold or let properties stay as REFERENZ (OpenImmo only; IS24 deletes them)."""
        return self.send_references and self.writes_packages


class Is24Connection(models.Model):
    """An agent's own ImmobilienScout24 account (OAuth 1.0a access token, "Mit IS24 verbinden"):
    the agent's listings go there; without one, the office's token of the portal is used."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="connections")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    access_token = models.CharField(max_length=200)
    access_secret_encrypted = models.TextField(editable=False)
    connected_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("IS24 connection")
        verbose_name_plural = _("IS24 connections")
        constraints = [models.UniqueConstraint(fields=["portal", "user"], name="is24_connection_unique")]

    def __str__(self) -> str:
        return f"{self.portal} · {self.user_id}"

    def get_secret(self) -> str:
        return decrypt(self.access_secret_encrypted)


class PortalAssignment(models.Model):
    """A property assigned to a portal, and what the portal has of it (FLOWFACT's PortalEstate)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for transfer")
        ONLINE = "online", _("Online")
        WITHDRAWING = "withdrawing", _("Being taken offline")
        RETRY = "retry", _("Retry scheduled")
        REFERENCE = "reference", _("Online as reference")
        OFFLINE = "offline", _("Offline")
        ERROR = "error", _("Error")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="assignments")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="+")
    wanted = models.BooleanField(_("assigned"), default=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    last_action = models.CharField(_("last action"), max_length=20, blank=True)
    last_hash = models.CharField(max_length=64, blank=True, editable=False)
    online_since = models.DateTimeField(_("online since"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    sent_external_id = models.CharField(max_length=50, blank=True, editable=False)
    # IS24: the account the listing lives in ("office", or "user:<pk>" for an agent's own), so
    # updates and the deletion go there even after an agent connects (never listed twice).
    is24_account = models.CharField(max_length=30, blank=True, editable=False)
    portal_object_id = models.CharField(_("portal's id"), max_length=100, blank=True)
    expose_url = models.URLField(_("exposé on the portal"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portal assignment")
        verbose_name_plural = _("portal assignments")
        constraints = [
            models.UniqueConstraint(fields=["portal", "property"], name="portal_assignment_unique")
        ]
        # A partial transfer plans the waiting ones by state, not by reading every assignment.
        indexes = [models.Index(fields=["portal", "state"], name="portal_assignment_state")]

    def __str__(self) -> str:
        return f"{self.portal} · {self.property_id}"

    def last_action_label(self) -> str:  # a method: `property` is a field of this model
        """The last action as the transfer log names it ("Aktualisierung")."""
        labels = dict(TransferEntry.Action.choices)
        return str(labels.get(self.last_action, self.last_action))


class TransferRun(models.Model):
    """One transfer to a portal (a job): the package sent and what happened per property."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="runs")
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    full = models.BooleanField(_("full transfer"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    planned = models.BooleanField(default=False, editable=False)
    # When planning read the properties: the next partial run looks only at changes after this.
    planned_at = models.DateTimeField(null=True, blank=True, editable=False)
    package = models.FileField(upload_to="portals/packages/", blank=True)
    package_name = models.CharField(max_length=200, blank=True)
    uploaded = models.BooleanField(default=False, editable=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer run")
        verbose_name_plural = _("transfer runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.portal} {self.created_at:%Y-%m-%d %H:%M}"


class TransferEntry(models.Model):
    """What one run did with one property, with a hint an agent can act on."""

    class Action(models.TextChoices):
        NEW = "new", _("New")
        CHANGE = "change", _("Update")
        DELETE = "delete", _("Delete")
        REFERENCE = "reference", _("Reference (sold/let)")
        UNCHANGED = "unchanged", _("Unchanged")
        REFUSED = "refused", _("Not sent")
        FEEDBACK = "feedback", _("Portal feedback")

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        OK = "ok", _("OK")
        ERROR = "error", _("Error")

    run = models.ForeignKey(TransferRun, on_delete=models.CASCADE, related_name="entries")
    property = models.ForeignKey(
        "properties.Property", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(_("external id (Kennung)"), max_length=50)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    data_hash = models.CharField(max_length=64, blank=True, editable=False)
    portal_object_id = models.CharField(_("portal's id"), max_length=100, blank=True)
    hint = models.TextField(_("hint"), blank=True)

    class Meta:
        verbose_name = _("transfer entry")
        verbose_name_plural = _("transfer entries")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.action}"
