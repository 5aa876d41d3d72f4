"""What both syncs share: the run (changes since the sync token, or a full listing; multiget of
what changed; the server's deletions; the Maklerwerk side), the log and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from maklerwerk.davsync.models import DavAccount, DavItem, SyncEvent
from maklerwerk.integrations.dav.client import Changes, DavClient, SyncTokenInvalid


@dataclass
class Report:
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # the dry run's preview, one per card
    requests: int = 0
    writes: int = 0
    full_listing: bool = False

    def add(self, key: str, n: int = 1) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "counts": self.counts,
            "rows": self.rows[:500],
            "requests": self.requests,
            "writes": self.writes,
            "full_listing": self.full_listing,
        }


class SyncBase:
    items: dict[str, DavItem]

    def __init__(self, account: DavAccount, *, dry_run: bool, client: DavClient | None = None) -> None:
        self.account = account
        self.user = account.user
        self.dry_run = dry_run
        self.client = client or DavClient(
            account.url, account.username, account.get_password(), kind=account.kind
        )
        self.report = Report(dry_run=dry_run)
        self.events: list[SyncEvent] = []

    # -- log --------------------------------------------------------------------------------------

    def log(self, level: str, message: str, contact_id: int | None = None) -> None:
        self.events.append(
            SyncEvent(
                account=self.account,
                level=level,
                message=message[:1000],
                contact_id_ref=contact_id,
                dry_run=self.dry_run,
            )
        )

    def row(self, name: str, action: str, message: str) -> None:
        if self.dry_run:
            self.report.rows.append({"name": name, "action": action, "message": message})

    # -- run --------------------------------------------------------------------------------------

    def run(self, on_progress: Callable[[int, int], Any] | None = None) -> Report:
        changes = self.changes()
        fetch = [
            h
            for h, etag in changes.changed.items()
            if not (etag and h in self.items and self.items[h].etag == etag)
        ]
        self.report.add("unchanged", len(changes.changed) - len(fetch))
        bodies = self.client.multiget(fetch) if fetch else {}
        for i, href in enumerate(fetch, start=1):
            if href in bodies:
                self.remote(href, *bodies[href])
            if on_progress:
                on_progress(i, len(fetch) + 1)
        for href in changes.deleted:
            self.remote_deleted(href)
        self.local()
        self.report.requests, self.report.writes = self.client.requests_made, self.client.writes
        if not self.dry_run:
            self.account.sync_token = changes.token
            SyncEvent.objects.bulk_create(self.events)
        return self.report

    def changes(self) -> Changes:
        token = self.account.sync_token
        try:
            return self.client.sync_collection(token)
        except SyncTokenInvalid:
            if token:
                self.log(
                    SyncEvent.Level.INFO,
                    _("The server no longer knows the sync token; all items were compared."),
                )
        self.report.full_listing = True
        listing = self.client.list_etags()
        gone = [h for h, item in self.items.items() if h not in listing]
        return Changes(changed=listing, deleted=gone, token="")

    def remote(self, href: str, etag: str, raw: bytes) -> None:
        raise NotImplementedError

    def remote_deleted(self, href: str) -> None:
        raise NotImplementedError

    def local(self) -> None:
        raise NotImplementedError

    def save(self, item: DavItem, etag: str | None = None) -> None:
        if etag is not None:
            item.etag = etag
        if self.dry_run:
            return
        item.save()
        self.items[item.href] = item
