"""Two-way address book sync of one `DavAccount` (CardDAV).

One run: (1) ask the server what changed since the stored sync token (RFC 6578); an invalid or
unsupported token falls back to a full listing with ETags; (2) read the changed cards whose ETag
differs from the stored one in `multiget` batches and decide per card by content hash: unchanged,
changed on the server (applied to the contact), changed on both sides (the account's conflict
rule, logged), new (the one contact intake: a certain duplicate is the same person and gets
linked, not copied), broken (kept untouched on the server, reported); (3) cards deleted on the
server clear the contact's sync flag (an activity says so), the contact stays; (4) contacts
changed or new in Maklerwerk are written with `If-Match` / `If-None-Match: *`; a 412 re-reads,
decides and retries once; a contact deleted or merged in Maklerwerk is deleted on the server.
A second run right after changes nothing on either side: the server's answers are compared by
content, the stored ETags make unchanged cards cost no request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.contacts import intake
from maklerwerk.contacts import selectors as contact_selectors
from maklerwerk.contacts import services as contact_services
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.davsync import cards
from maklerwerk.davsync.base import Report, SyncBase
from maklerwerk.davsync.models import ContactUid, DavAccount, DavItem, SyncEvent, SyncFlag
from maklerwerk.integrations.dav.client import (
    DavClient,
    DavError,
    PreconditionFailed,
)

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

NOTE = "Adressbuch-Sync"  # history note of changes the sync makes


class CardSync(SyncBase):
    def __init__(self, account: DavAccount, *, dry_run: bool, client: DavClient | None = None) -> None:
        super().__init__(account, dry_run=dry_run, client=client)
        self.items = {i.href: i for i in account.items.select_related("contact")}
        self.done: set[int] = set()  # contacts decided in the remote pass

    # -- server side ------------------------------------------------------------------------------

    def remote(self, href: str, etag: str, raw: bytes) -> None:
        card = cards.read(raw)
        item = self.items.get(href)
        if card.broken:
            self.broken(href, etag, card, item)
            return
        if item is not None and item.contact is not None:
            self.remote_changed(item, etag, card, raw)
            return
        if item is not None and item.was_linked:
            return  # deleted in Maklerwerk: the local pass deletes the card
        if item is not None and item.remote_hash == card.digest:
            self.save(item, etag=etag)  # a card left unlinked before, unchanged
            return
        self.remote_new(href, etag, card, raw, item)

    def broken(self, href: str, etag: str, card: cards.Card, item: DavItem | None) -> None:
        self.report.add("broken")
        self.row(href.rsplit("/", 1)[-1], "broken", card.entry.error)
        if item is not None and item.remote_hash == card.digest:
            return
        self.log(
            SyncEvent.Level.WARNING,
            _("Card “%(href)s” cannot be read and stays unchanged on the server: %(reason)s")
            % {"href": href.rsplit("/", 1)[-1], "reason": card.entry.error},
        )
        item = item or DavItem(account=self.account, href=href)
        item.broken, item.remote_hash, item.etag = True, card.digest, etag
        self.save(item)

    def remote_changed(self, item: DavItem, etag: str, card: cards.Card, raw: bytes) -> None:
        contact = item.contact
        assert contact is not None
        if card.digest == item.remote_hash:
            self.report.add("unchanged")
            self.save(item, etag=etag)
            return
        self.done.add(contact.pk)
        if self.local_digest(contact, item) == item.local_hash:
            self.apply(item, etag, card, contact)
            return
        self.report.add("conflicts")
        if self.server_wins(card, contact):
            self.log(
                SyncEvent.Level.CONFLICT,
                _("%(name)s was changed on both sides; the address book's version was kept (rule: %(rule)s).")
                % {"name": contact.display_name, "rule": self.account.get_conflict_rule_display()},
                contact.pk,
            )
            self.apply(item, etag, card, contact)
        else:
            self.log(
                SyncEvent.Level.CONFLICT,
                _("%(name)s was changed on both sides; Maklerwerk's version was kept (rule: %(rule)s).")
                % {"name": contact.display_name, "rule": self.account.get_conflict_rule_display()},
                contact.pk,
            )
            item.etag = etag
            self.push(item, contact, raw)

    def server_wins(self, card: cards.Card, contact: Contact) -> bool:
        rule = self.account.conflict_rule
        if rule == DavAccount.ConflictRule.SERVER_WINS:
            return True
        if rule == DavAccount.ConflictRule.NEWER_WINS:
            rev = card.rev
            return bool(rev) and rev > contact.updated_at.strftime("%Y%m%dT%H%M%SZ")
        return False

    def apply(self, item: DavItem, etag: str, card: cards.Card, contact: Contact) -> None:
        """The server's card changes the contact (the fields a card carries)."""
        self.report.add("updated_here")
        self.row(contact.display_name, "update_here", _("Changed from the address book"))
        if self.dry_run:
            return
        try:
            with transaction.atomic():
                contact_services.contact_update(
                    contact=contact,
                    acting_user=self.user,
                    data=cards.applied_data(card.entry, contact),
                    history_note=NOTE,
                )
                self.photo(contact, card)
        except ValidationError as exc:
            self.log(
                SyncEvent.Level.WARNING,
                _("The card of %(name)s was not taken over: %(reason)s")
                % {"name": contact.display_name, "reason": "; ".join(exc.messages)},
                contact.pk,
            )
            item.remote_hash, item.etag = card.digest, etag
            self.save(item)
            return
        self.log(
            SyncEvent.Level.CHANGE,
            _("%(name)s was updated from the address book.") % {"name": contact.display_name},
            contact.pk,
        )
        item.remote_hash, item.etag = card.digest, etag
        item.local_hash = self.local_digest(contact, item)
        self.save(item)

    def photo(self, contact: Contact, card: cards.Card) -> None:
        photo = card.entry.photo
        if not photo:
            return
        if contact.photo:
            try:
                with contact.photo.open("rb") as fh:
                    if fh.read() == photo:
                        return
            except OSError:
                pass
        contact_services.contact_photo_set(
            contact=contact, acting_user=self.user, data=photo, history_note=NOTE
        )

    def remote_new(self, href: str, etag: str, card: cards.Card, raw: bytes, item: DavItem | None) -> None:
        """A card Maklerwerk does not know: our own contact's card (same UID), a contact that exists
        (a certain duplicate: linked, not copied) or a new person (the intake creates them)."""
        entry = card.entry
        own = (
            ContactUid.objects.filter(office=self.account.office, uid=_uuid(entry.uid)).first()
            if _uuid(entry.uid)
            else None
        )
        name = entry.display_name
        if own is not None:
            contact = contact_selectors.contacts_for_sync(
                office_id=self.account.office_id, ids=[own.contact_id]
            ).first()
            if contact is not None:
                self.link(href, etag, card, raw, contact, item, matched=True)
                return
        try:
            result = intake.contact_intake(
                intake.NewContact.from_data(entry.data),
                office=self.account.office,
                acting_user=self.user,
                source=intake.IntakeSource.DAV_SYNC,
                policy=intake.IntakePolicy.ATTACH_CERTAIN,
                dry_run=self.dry_run,
                drop_invalid=("emails", "phones"),
                history_note=NOTE,
            )
        except ValidationError as exc:
            reason = "; ".join(exc.messages)
            self.broken(href, etag, cards.Card(entry=_with_error(entry, reason), digest=card.digest), item)
            return
        if isinstance(result, intake.Attached):
            contact = result.contact
            self.row(
                name,
                "match",
                _("Same person as %(name)s (%(reasons)s): linked, not copied")
                % {"name": contact.display_name, "reasons": ", ".join(result.reasons)},
            )
            self.link(href, etag, card, raw, contact, item, matched=True)
        elif isinstance(result, intake.Created):
            self.report.add("review" if result.review else "created_here")
            self.row(name, "review" if result.review else "create_here", result.message)
            if result.contact is not None:
                self.photo(result.contact, card)
                self.log(
                    SyncEvent.Level.CHANGE,
                    _("%(name)s was created from the address book. %(message)s")
                    % {"name": name, "message": result.message if result.review else ""},
                    result.contact.pk,
                )
                self.link(href, etag, card, raw, result.contact, item, matched=False)

    def link(
        self,
        href: str,
        etag: str,
        card: cards.Card,
        raw: bytes,
        contact: Contact,
        item: DavItem | None,
        *,
        matched: bool,
    ) -> None:
        if matched:
            self.report.add("matched")
        self.done.add(contact.pk)
        if self.dry_run:
            return
        taken = [i for i in self.items.values() if i.contact_id == contact.pk and i.href != href]
        if taken:
            self.log(
                SyncEvent.Level.WARNING,
                _("Card “%(href)s” is a second card of %(name)s; it was left as it is.")
                % {"href": href.rsplit("/", 1)[-1], "name": contact.display_name},
                contact.pk,
            )
            item = item or DavItem(account=self.account, href=href)
            item.remote_hash, item.etag = card.digest, etag
            self.save(item)
            return
        item = item or DavItem(account=self.account, href=href)
        item.contact, item.was_linked, item.broken, item.etag = contact, True, False, etag
        item.uid = card.entry.uid or href
        item.remote_hash = card.digest
        SyncFlag.objects.update_or_create(account=self.account, contact=contact, defaults={"enabled": True})
        if matched:
            self.log(
                SyncEvent.Level.CHANGE,
                _("Card “%(card)s” belongs to the existing contact %(name)s: linked.")
                % {"card": card.entry.display_name, "name": contact.display_name},
                contact.pk,
            )
            contact = contact_selectors.contacts_for_sync(office_id=contact.office_id, ids=[contact.pk]).get()
            item.contact = contact
        item.local_hash = self.local_digest(contact, item)
        self.save(item)
        if matched and item.local_hash != card.digest:
            self.push(item, contact, raw)

    def remote_deleted(self, href: str) -> None:
        item = self.items.get(href)
        if item is None:
            return
        contact = item.contact
        self.report.add("deleted_there")
        if contact is not None:
            self.done.add(contact.pk)
            self.row(
                contact.display_name,
                "unlink",
                _("Deleted in the address book: the contact stays, it no longer syncs"),
            )
        if self.dry_run:
            return
        if contact is not None:
            SyncFlag.objects.update_or_create(
                account=self.account, contact=contact, defaults={"enabled": False}
            )
            text = _(
                "Card deleted in the address book %(url)s; "
                "the contact stays in Maklerwerk and no longer syncs."
            ) % {"url": self.account.url}
            activity_create(
                office=self.account.office,
                type=Activity.Type.SYSTEM,
                subject=text[:200],
                acting_user=self.user,
                contact_id=contact.pk,
            )
            self.log(
                SyncEvent.Level.CHANGE,
                _("%(name)s: card deleted on the server; sync flag cleared, the contact stays.")
                % {"name": contact.display_name},
                contact.pk,
            )
        item.delete()
        del self.items[href]

    # -- Maklerwerk side --------------------------------------------------------------------------

    def scope(self) -> list[Contact]:
        account = self.account
        flags = dict(SyncFlag.objects.filter(account=account).values_list("contact_id", "enabled"))
        if account.scope == DavAccount.Scope.FLAGGED:
            qs = contact_selectors.contacts_for_sync(
                office_id=account.office_id, ids=[c for c, on in flags.items() if on]
            )
        elif account.scope == DavAccount.Scope.TAG:
            qs = contact_selectors.contacts_for_sync(
                office_id=account.office_id, tag_name=account.tag_name or "-"
            )
        else:
            qs = contact_selectors.contacts_for_sync(
                office_id=account.office_id, responsible_id=account.user_id
            )
        return [c for c in qs if flags.get(c.pk, True)]

    def local(self) -> None:
        wanted = {c.pk: c for c in self.scope()}
        by_contact: dict[int, DavItem] = {}
        for item in sorted(self.items.values(), key=lambda i: i.pk or 0):
            if item.contact_id is None:
                if item.was_linked:
                    self.remove(item, _("Contact deleted in Maklerwerk: card deleted on the server."))
            elif item.contact_id not in wanted or item.contact_id in by_contact:
                why = (
                    _("Contact merged in Maklerwerk: its second card was deleted on the server.")
                    if item.contact_id in by_contact
                    else _("Contact no longer chosen for sync: card deleted on the server.")
                )
                self.remove(item, why)
            else:
                by_contact[item.contact_id] = item
        for pk, contact in wanted.items():
            if pk in self.done:
                continue
            linked = by_contact.get(pk)
            if linked is None:
                self.create(contact)
            elif (
                self.changed_since(contact, linked)
                and self.local_digest(contact, linked) != linked.local_hash
            ):
                self.report.add("updated_there")
                self.row(contact.display_name, "update_there", _("Changed in Maklerwerk: card updated"))
                self.push(linked, contact, None)

    def remove(self, item: DavItem, message: str) -> None:
        self.report.add("deleted_here")
        self.row(item.href.rsplit("/", 1)[-1], "delete_there", message)
        if self.dry_run:
            return
        self.client.delete(item.href, etag=item.etag)
        self.log(SyncEvent.Level.CHANGE, message, item.contact_id)
        self.items.pop(item.href, None)
        item.delete()

    def create(self, contact: Contact) -> None:
        self.report.add("created_there")
        self.row(contact.display_name, "create_there", _("New card in the address book"))
        if self.dry_run:
            return
        uid = str(contact_uid(contact))
        href = self.client.path(self.client.url) + f"{uid}.vcf"
        item = DavItem(account=self.account, href=href, uid=uid, contact=contact, was_linked=True)
        self.push(item, contact, None, create=True)

    def push(
        self,
        item: DavItem,
        contact: Contact,
        server: bytes | None,
        *,
        create: bool = False,
        retry: bool = True,
    ) -> None:
        """Write the contact's card; on 412 re-read, decide again and retry once."""
        if self.dry_run:
            return
        if server is None and not create:  # what Maklerwerk does not keep is carried over from it
            current = self.client.get(item.href)
            server = current[1] if current else None
        body = cards.render(contact, item.uid or str(contact_uid(contact)), server)
        try:
            etag = self.client.put(item.href, body, etag=None if create else (item.etag or "*"))
        except PreconditionFailed:
            current = self.client.get(item.href)
            if not retry:
                self.log(
                    SyncEvent.Level.ERROR,
                    _("The card of %(name)s keeps changing on the server; it will be tried again next time.")
                    % {"name": contact.display_name},
                    contact.pk,
                )
                return
            if current is None:
                self.push(item, contact, None, create=True, retry=False)
                return
            item.etag, raw = current
            card = cards.read(raw)
            if not card.broken and card.digest != item.remote_hash and self.server_wins(card, contact):
                self.apply(item, item.etag, card, contact)
                return
            self.push(item, contact, raw, retry=False)
            return
        item.etag = etag
        item.remote_hash = cards.read(body).digest
        item.local_hash = self.local_digest(contact, item)
        self.save(item)

    @staticmethod
    def changed_since(contact: Contact, item: DavItem) -> bool:
        """Saved after the item was (every contact service saves the contact, so its `updated_at`
        moves); a cheap test before rendering the card to compare its content."""
        return item.updated_at is None or contact.updated_at >= item.updated_at

    def local_digest(self, contact: Contact, item: DavItem) -> str:
        return cards.read(cards.render(contact, item.uid or "-")).digest


def contact_uid(contact: Contact) -> Any:
    row = ContactUid.objects.filter(contact=contact).first()
    if row is None:
        row = ContactUid.objects.create(office_id=contact.office_id, contact=contact)
    return row.uid


def _uuid(value: str) -> str:
    value = value.removeprefix("urn:uuid:")
    return value if len(value) == 36 and value.count("-") == 4 else ""


def _with_error(entry: Any, reason: str) -> Any:
    entry.error = reason
    return entry


def carddav_sync(
    account: DavAccount,
    *,
    dry_run: bool = False,
    client: DavClient | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Sync one address book account; errors of the server become the account's German state."""
    return CardSync(account, dry_run=dry_run, client=client).run(on_progress)


__all__ = ["DavError", "Report", "carddav_sync"]
