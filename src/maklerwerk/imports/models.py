"""What came from which outside source: one row per imported record, so a re-import finds it again.

Shared by every import path (vCard files now; CSV/OpenImmo migrations and sync later): a record
is identified by (office, source system, kind, source key) and points at the row it became
(any model, via content type + id). `row_hash` is the hash of the record's normalised content at
the last import, `target_updated_at` the target's `updated_at` right after it, so a re-import can
tell "unchanged in the file", "changed in the file only" (safe to update) and "changed on both
sides" (a user edited it: not overwritten).
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.crypto import decrypt as _decrypt
from maklerwerk.core.crypto import encrypt as _encrypt
from maklerwerk.core.validation import SingleLineFields
from maklerwerk.imports.mapping import KIND_LABELS

PURPOSE = "imports.ftp_drop"  # the key's HKDF info of the drop passwords: never change it


def encrypt(plain: str) -> str:
    return _encrypt(plain, purpose=PURPOSE) if plain else ""


def decrypt(token: str) -> str:
    return _decrypt(token, purpose=PURPOSE) if token else ""


class ImportRecord(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("created")
        REVIEW = "review", _("created, to be reviewed as possible duplicate")
        DUPLICATE = "duplicate", _("skipped as probable duplicate")
        # the record was there before the import (an IS24 listing of a property with its Kennung)
        LINKED = "linked", _("linked to an existing record")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    source_system = models.CharField(max_length=50)  # "vcard", "csv", "openimmo", ...
    kind = models.CharField(max_length=50)  # what the source calls the record: "contact", a table name
    source_key = models.CharField(max_length=255)  # "uid:…" or "hash:…" for vCards, the source id for tables
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.BigIntegerField()
    # Declared so that a merge of contacts moves the record to the survivor (duplicates.merge
    # re-points every generic relation): the card stays known and is not imported again.
    target = GenericForeignKey("target_type", "target_id")
    row_hash = models.CharField(max_length=64)
    target_updated_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    batch = models.CharField(max_length=100, blank=True)  # the import run, e.g. file name and time
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "source_system", "kind", "source_key"], name="importrecord_source"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="importrecord_target")]

    def __str__(self) -> str:
        return f"{self.source_system}/{self.kind}/{self.source_key} → {self.target_id}"


class SourceSystem(models.TextChoices):
    ONOFFICE = "onoffice", "onOffice"
    FLOWFACT = "flowfact", "FLOWFACT"
    PROPSTACK = "propstack", "Propstack"
    OTHER = "other", _("other system")


class ImportMapping(models.Model):
    """A column mapping the office saved under a name, to use again with the next export."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    source_system = models.CharField(
        _("old system"), max_length=20, choices=SourceSystem.choices, default=SourceSystem.OTHER
    )
    kind = models.CharField(max_length=20, default="contacts")
    columns = models.JSONField(default=dict)  # CSV header → target key (imports.mapping.TARGETS)
    # target key → {value in the old system → our value} ("ETW" → "wohnung/ETAGE"), see mapping.VALUE_MAPS
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["office", "kind", "name"], name="importmapping_name")]

    def __str__(self) -> str:
        return self.name


def _run_path(instance: ImportRun, filename: str) -> str:
    return f"imports/{instance.office_id}/{filename}"


class ImportRun(models.Model):
    """One uploaded file and what was done with it: dry runs, the commit, an undo.

    The file is kept (nothing is lost, a resumed commit reads it again); `report` is the last dry
    run's or commit's result (counts and the rows worth showing)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        OPENIMMO = "openimmo", "OpenImmo"
        VCARD = "vcard", "vCard"
        IS24 = "is24", "ImmobilienScout24"  # the office's listings there, taken over (imports.scout)

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        CHECKED = "checked", _("dry run done")
        COMMITTED = "committed", _("imported")
        UNDONE = "undone", _("undone")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        max_length=20, default="contacts"
    )  # contacts, properties, search_profiles, activities
    source_format = models.CharField(max_length=10, choices=Format.choices, default=Format.CSV)
    source_system = models.CharField(
        _("old system"), max_length=20, choices=SourceSystem.choices, default=SourceSystem.OTHER
    )
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=_run_path, max_length=300)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    columns = models.JSONField(default=dict)  # the mapping used (header → target key)
    values = models.JSONField(default=dict, blank=True)  # the value maps used (see ImportMapping.values)
    mapping_name = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.UPLOADED)
    job_id = models.CharField(max_length=40, blank=True)  # the last dry run's or commit's job (progress)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def kind_label(self) -> str:
        """What the file holds, in German ("Immobilien")."""
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def batch(self) -> str:
        """The import records' batch of this run (undo finds what it created by it)."""
        return f"run:{self.pk}"


class ImportChange(models.Model):
    """What a run changed on a record that existed before it (created by an earlier run): the fields'
    old and new values as the change history recorded them. Undoing the run puts the old values back
    where nobody changed the record since (`target_updated_at`)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="changes")
    record = models.ForeignKey(
        ImportRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.BigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # {"fields": [{"field", "old", "new"}] from core.history, "lists": related lists before (contacts)}
    changes = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64, blank=True)  # the record's row hash before the run
    target_updated_at = models.DateTimeField(null=True, blank=True)
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        indexes = [models.Index(fields=["target_type", "target_id"], name="importchange_target")]

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.target_type_id}/{self.target_id}"


class CutoverPlan(models.Model):
    """The office's switch from the old system: which system leads for which data since when, and
    the cut-over steps ticked so far (see `imports.cutover`). One row per office."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # data kind → {"system": "flowfact" | ... | "maklerwerk", "since": "2026-12-01"}
    leading = models.JSONField(default=dict, blank=True)
    # step key → {"done_at": ISO time, "by": user name}
    steps = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cut-over plan")
        verbose_name_plural = _("cut-over plans")

    def __str__(self) -> str:
        return f"cut-over of office {self.office_id}"


class FtpDrop(SingleLineFields, models.Model):
    """The office's inbound OpenImmo drop: the old system exports to it as to a portal, Maklerwerk
    fetches every package that arrives and imports it like an upload (see `imports.drop`)."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    host = models.CharField(_("FTP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=21)
    username = models.CharField(_("user name"), max_length=100)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, blank=True)
    tls = models.BooleanField(_("FTPS (TLS)"), default=False)
    commit = models.BooleanField(_("import at once (without stopping after the dry run)"), default=True)
    acting_user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_message = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("FTP drop")
        verbose_name_plural = _("FTP drops")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"

    def set_password(self, password: str) -> None:
        self.password_encrypted = encrypt(password)

    def get_password(self) -> str:
        return decrypt(self.password_encrypted)
