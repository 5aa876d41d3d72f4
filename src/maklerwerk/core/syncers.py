"""Account syncers: what `maklerwerk sync --user NAME` runs (address books, calendars, mailboxes).

An app that syncs a user's accounts with an outside server registers one `AccountSyncer` in its
`AppConfig.ready()` (davsync: CardDAV/CalDAV; mailsync: IMAP). The command asks every syncer for
the user's accounts and runs them one after the other with a progress bar. `run` returns a short
German summary line; errors it cannot handle it reports in that line, it does not raise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


@dataclass(frozen=True)
class AccountSyncer:
    key: str
    # The user's accounts of this kind (any objects `label` and `run` understand).
    accounts: Callable[[User], Sequence[Any]]
    label: Callable[[Any], str]
    # Sync one account (dry_run: decide and report, write nothing); returns a German summary.
    run: Callable[[Any, bool], str]
    order: int = 100


ACCOUNT_SYNCERS: Registry[AccountSyncer] = Registry("account syncers")
