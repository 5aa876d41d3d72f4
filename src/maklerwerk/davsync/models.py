"""Two-way address book (CardDAV) and calendar (CalDAV) sync per user.

`DavAccount` is one collection of one user. `DavItem` links one item on the server (href, UID,
ETag) to the Maklerwerk record it mirrors and remembers the content hashes of both sides at the
last sync: a change is a different hash, never a different ETag (servers change ETags without
changes). `ContactUid` is the stable UUID a contact carries on every server (never the db id).
`SyncFlag` is the per-contact switch ("flagged" scope) and the exclusion a card deleted on the
server leaves behind. `SyncEvent` is the sync log the account page and the API show.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.crypto import decrypt, encrypt

KEY_PURPOSE = "davsync.account"  # HKDF info of the password key: never change it


class DavAccount(models.Model):
    class Kind(models.TextChoices):
        CARDDAV = "carddav", _("Address book (CardDAV)")
        CALDAV = "caldav", _("Calendar (CalDAV)")

    class Scope(models.TextChoices):
        FLAGGED = "flagged", _("Contacts marked for sync")
        TAG = "tag", _("Contacts with a tag")
        MINE = "mine", _("My contacts")

    class ConflictRule(models.TextChoices):
        MAKLERWERK_WINS = "maklerwerk_wins", _("Maklerwerk wins")
        SERVER_WINS = "server_wins", _("Server wins")
        NEWER_WINS = "newer_wins", _("Newer change wins")

    class State(models.TextChoices):
        NEW = "new", _("Not synced yet")
        OK = "ok", _("Synced")
        ERROR = "error", _("Error")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dav_accounts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CARDDAV)
    url = models.URLField(_("collection address"), max_length=500)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)  # see set_password
    scope = models.CharField(_("which contacts"), max_length=10, choices=Scope.choices, default=Scope.FLAGGED)
    tag_name = models.CharField(_("tag"), max_length=50, blank=True)
    conflict_rule = models.CharField(
        _("when both sides changed"),
        max_length=20,
        choices=ConflictRule.choices,
        default=ConflictRule.MAKLERWERK_WINS,
    )
    sync_token = models.TextField(blank=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW, editable=False)
    state_message = models.CharField(max_length=500, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("address book or calendar account")
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=("user", "url"), name="davsync_account_user_url_unique"),
        ]

    def __str__(self) -> str:
        return self.url

    def set_password(self, password: str) -> None:
        """Stored encrypted (`core.crypto`, a key of its own derived from SECRET_KEY)."""
        self.password_encrypted = encrypt(password, purpose=KEY_PURPOSE) if password else ""

    def get_password(self) -> str:
        """The plain password; raises `core.crypto.SecretUnreadable` after a key change."""
        return decrypt(self.password_encrypted, purpose=KEY_PURPOSE) if self.password_encrypted else ""

    @property
    def password_set(self) -> bool:
        return bool(self.password_encrypted)


class ContactUid(models.Model):
    """The UID a contact's card carries on every server: a random UUID, stable for the contact.

    Not unique per contact on purpose: a merge moves the merged contact's row to the survivor
    (duplicates.merge moves every row that points at a contact); the oldest row wins."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return str(self.uid)


class SyncFlag(models.Model):
    """`enabled`: the contact syncs with the account ("flagged" scope); False: it is left out (its
    card was deleted on the server), whatever the scope."""

    account = models.ForeignKey(DavAccount, on_delete=models.CASCADE, related_name="flags")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.account_id}:{self.contact_id}:{self.enabled}"


class DavItem(models.Model):
    """One item on the server and the Maklerwerk record it mirrors.

    `contact` / `appointment` become NULL when the record is deleted in Maklerwerk: the next sync
    then deletes the item on the server. `broken`: the server's item cannot be read; it is kept
    untouched on the server and reported, and read again when its content changes."""

    account = models.ForeignKey(DavAccount, on_delete=models.CASCADE, related_name="items")
    href = models.CharField(max_length=1000)
    uid = models.CharField(max_length=300, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    remote_hash = models.CharField(max_length=64, blank=True)  # the server's content at the last sync
    local_hash = models.CharField(max_length=64, blank=True)  # Maklerwerk's content at the last sync
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    was_linked = models.BooleanField(default=False)  # linked once: a NULL link means "deleted here"
    broken = models.BooleanField(default=False)
    busy_summary = models.CharField(max_length=300, blank=True)  # a foreign event: shown as busy time
    busy_start = models.DateTimeField(null=True, blank=True)
    busy_end = models.DateTimeField(null=True, blank=True)
    # A recurring foreign event: its occurrences in the sync window, with exceptions applied
    # ([{"start": iso, "end": iso, "summary": str, "taken": bool}]); empty for a single event.
    busy_occurrences = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=("account", "href"), name="davsync_item_account_href_unique"),
        ]

    def __str__(self) -> str:
        return self.href


class SyncEvent(models.Model):
    """One line of the sync log (German text, written when it happened)."""

    class Level(models.TextChoices):
        INFO = "info", _("Info")
        CHANGE = "change", _("Change")
        CONFLICT = "conflict", _("Conflict resolved")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    account = models.ForeignKey(DavAccount, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    message = models.CharField(max_length=1000)
    contact_id_ref = models.IntegerField(null=True, blank=True)  # no FK: the log outlives the contact
    dry_run = models.BooleanField(default=False)

    class Meta:
        ordering = ("-pk",)

    def __str__(self) -> str:
        return self.message
