"""The IMAP adapter on imap-tools (IMAP4rev1, RFC 3501): connect, select, list, fetch, mark, move.

It knows nothing about inquiries. imap-tools encodes folder names in modified UTF-7 (RFC 3501
5.1.3), so "Anfragen/Entwürfe" works; imaplib alone raised `UnicodeEncodeError` for it.
Every failure comes out as `ImapError` with a German message for the mailbox page and a
`permanent` flag (wrong credentials and a missing folder are permanent; an unreachable server or
a dropped connection is not). Nothing else escapes, so one broken mailbox never stops a pass.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import cast

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import (
    ImapToolsError,
    MailboxFolderSelectError,
    MailboxLoginError,
    MailboxStarttlsError,
)
from imap_tools.mailbox import BaseMailBox

# A keyword (RFC 3501 section 2.3.2) that says "Maklerwerk has handled this message".
PROCESSED_KEYWORD = "MaklerwerkDone"
SECURITY_CHOICES = ("none", "starttls", "ssl")


class ImapError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # none | starttls | ssl
    username: str
    password: str
    folder: str = "INBOX"
    timeout: float = 20.0
    ssl_context: ssl.SSLContext | None = None
    auth: str = "login"  # login | xoauth2 (`password` is then the OAuth 2.0 access token)


class _RawMessage:
    """What imap-tools builds per fetched message: here only the UID and the raw bytes, unparsed
    (the content hash must see the bytes as the server stored them, and parsing twice is waste)."""

    def __init__(self, fetch_data: list[object]) -> None:
        self.raw, self.uid = b"", 0
        for item in fetch_data:
            if isinstance(item, tuple):
                self.raw = item[1]
                m = re.search(rb"UID (\d+)", item[0])
                if m:
                    self.uid = int(m.group(1))


def uid_set(uids: list[int]) -> str:
    """UIDs as an IMAP sequence set with ranges (RFC 3501 9, "sequence-set"): [1, 2, 3, 7] → "1:3,7"."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0] if ordered else 0
    for uid in ordered[1:]:
        if uid != prev + 1:
            parts.append(f"{start}:{prev}" if prev > start else str(start))
            start = uid
        prev = uid
    if ordered:
        parts.append(f"{start}:{prev}" if prev > start else str(start))
    return ",".join(parts)


def _raw[B: BaseMailBox](cls: type[B]) -> type[B]:
    return type(cls.__name__, (cls,), {"email_message_class": _RawMessage})


_BOXES: dict[str, Callable[..., BaseMailBox]] = {
    "ssl": _raw(MailBox),
    "starttls": _raw(MailBoxStartTls),
    "none": _raw(MailBoxUnencrypted),
}


class ImapClient:
    """`with ImapClient(settings) as imap:` logs in and selects the folder; logs out on exit."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.box: BaseMailBox | None = None
        self.uid_validity = 0
        self._delimiter = ""

    # Reference: RFC 3501 6.2.3 LOGIN, 6.3.1 SELECT; RFC 2595 STARTTLS
    def __enter__(self) -> ImapClient:
        s = self.settings
        if s.security not in SECURITY_CHOICES:
            raise ImapError(f"Unbekannte Verschlüsselung „{s.security}“.", permanent=True)
        where = f"{s.host}:{s.port}"
        try:
            kwargs: dict[str, object] = {"timeout": s.timeout}
            if s.security != "none":
                kwargs["ssl_context"] = s.ssl_context or ssl.create_default_context()
            self.box = _BOXES[s.security](s.host, s.port, **kwargs)
        except TimeoutError as exc:
            raise ImapError(f"Server {where} antwortet nicht (Zeitüberschreitung).", permanent=False) from exc
        except (ssl.SSLError, MailboxStarttlsError) as exc:
            raise ImapError(f"TLS-Verbindung zu {where} fehlgeschlagen: {exc}", permanent=True) from exc
        except (OSError, UnicodeError, imaplib.IMAP4.error, ImapToolsError, ValueError) as exc:
            # UnicodeError: the host is no valid name; ValueError: STARTTLS on the SSL port 993
            raise ImapError(f"Server {where} nicht erreichbar ({exc}).", permanent=False) from exc
        try:
            if s.auth == "xoauth2":  # Reference: Google/Microsoft SASL XOAUTH2, RFC 7628 style
                self.box.xoauth2(s.username, s.password, initial_folder=None)
            else:
                self.box.login(s.username, s.password, initial_folder=None)
        except (MailboxLoginError, UnicodeError, imaplib.IMAP4.error) as exc:
            self._close()
            what = (
                "Zugriffstoken ist ungültig oder abgelaufen"
                if s.auth == "xoauth2"
                else "Benutzername oder Passwort ist falsch"
            )
            raise ImapError(f"Anmeldung fehlgeschlagen: {what}.", permanent=True) from exc
        except Exception as exc:
            self._close()
            raise self._mapped(exc, "LOGIN") from exc
        try:
            self.box.folder.set(self.folder_name(s.folder))
        except (MailboxFolderSelectError, imaplib.IMAP4.error) as exc:
            self._close()
            raise ImapError(f"Ordner „{s.folder}“ gibt es in diesem Postfach nicht.", permanent=True) from exc
        except Exception as exc:
            self._close()
            raise self._mapped(exc, "SELECT") from exc
        self.uid_validity = self._uid_validity()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.box is None:
            return
        with contextlib.suppress(Exception):  # the session ends either way
            self.box.logout()
        self.box = None

    def _mapped(self, exc: BaseException, what: str) -> ImapError:
        """Any failure during a command as a German reason (connection lost: try again next pass)."""
        if isinstance(exc, ImapError):
            return exc
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return ImapError(
                f"Server {self.settings.host} antwortet nicht mehr (Zeitüberschreitung bei {what}).",
                permanent=False,
            )
        if isinstance(exc, (imaplib.IMAP4.abort, OSError)):
            return ImapError(f"Verbindung zum Server während {what} abgebrochen ({exc}).", permanent=False)
        return ImapError(f"IMAP-Befehl {what} fehlgeschlagen: {exc}"[:300], permanent=False)

    @contextlib.contextmanager
    def _command(self, what: str) -> Iterator[BaseMailBox]:
        assert self.box is not None
        try:
            yield self.box
        except Exception as exc:
            raise self._mapped(exc, what) from exc

    def _uid_validity(self) -> int:
        assert self.box is not None
        _, data = self.box.client.response("UIDVALIDITY")
        try:
            return int(data[0]) if data and data[0] else 0
        except (TypeError, ValueError):
            return 0

    # Reference: RFC 3501 6.3.1 SELECT (a new UIDVALIDITY per folder)
    def select(self, folder: str) -> int:
        """Select another folder ("/" as separator); returns its UIDVALIDITY."""
        with self._command("SELECT") as box:
            try:
                box.folder.set(self.folder_name(folder))
            except (MailboxFolderSelectError, imaplib.IMAP4.error) as exc:
                raise ImapError(
                    f"Ordner „{folder}“ gibt es in diesem Postfach nicht.", permanent=True
                ) from exc
        self.uid_validity = self._uid_validity()
        return self.uid_validity

    # Reference: RFC 3501 6.3.8 LIST; RFC 6154 special-use attributes (\Sent)
    def folders(self) -> list[tuple[str, tuple[str, ...]]]:
        """(name with "/" as separator, flags) of every folder of the account."""
        with self._command("LIST") as box:
            found = list(box.folder.list())
        self.folder_name("INBOX")  # learn the delimiter
        return sorted(
            (f.name.replace(self._delimiter, "/") if self._delimiter else f.name, tuple(f.flags))
            for f in found
        )

    # Reference: RFC 3501 6.4.4 SEARCH, 6.4.8 UID ("n:*" always matches the last message)
    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid` in the selected folder, oldest first."""
        with self._command("SEARCH") as box:
            return sorted(u for u in (int(x) for x in box.uids(f"UID {last_uid + 1}:*")) if u > last_uid)

    def fetch_headers(self, uids: list[int], batch: int = 200) -> Iterator[tuple[int, bytes]]:
        """(uid, raw header block) for each uid: cheap, to skip mails known by Message-ID."""
        if not uids:
            return
        with self._command("FETCH") as box:
            for fetched in box.fetch(
                uid_list=[str(u) for u in uids], mark_seen=False, headers_only=True, bulk=max(2, batch)
            ):
                msg = cast(_RawMessage, fetched)
                if msg.uid:
                    yield msg.uid, msg.raw

    # Reference: RFC 3501 6.4.4 SEARCH, 6.4.8 UID
    def unprocessed_uids(self) -> list[int]:
        """UIDs in the folder that do not carry the processed keyword, oldest first."""
        with self._command("SEARCH") as box:
            return sorted(int(x) for x in box.uids(f"UNDELETED UNKEYWORD {PROCESSED_KEYWORD}"))

    # Reference: RFC 3501 6.4.5 FETCH (BODY.PEEK[] leaves \\Seen alone)
    def fetch(self, uids: list[int], batch: int = 50) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each uid, fetched `batch` at a time."""
        if not uids:
            return
        with self._command("FETCH") as box:
            for fetched in box.fetch(uid_list=[str(u) for u in uids], mark_seen=False, bulk=max(2, batch)):
                msg = cast(_RawMessage, fetched)  # the email_message_class of our boxes
                if msg.uid:
                    yield msg.uid, msg.raw

    # Reference: RFC 3501 6.4.6 STORE
    def mark_processed(self, uids: list[int]) -> None:
        if uids:
            # Plain UID STORE: imap-tools' flag() also EXPUNGEs, which would purge what the user deleted.
            with self._command("STORE") as box:
                typ, data = box.client.uid("STORE", uid_set(uids), "+FLAGS.SILENT", f"({PROCESSED_KEYWORD})")
                if typ != "OK":
                    raise ImapError(f"IMAP-Befehl STORE fehlgeschlagen: {data!r}"[:300], permanent=False)

    # Reference: RFC 6851 MOVE (imap-tools falls back to COPY + \\Deleted + EXPUNGE)
    def move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        self.mark_processed(uids)
        name = self.folder_name(folder)
        with self._command("MOVE") as box:
            if not box.folder.exists(name):
                box.folder.create(name)
            box.move(uid_set(uids), name)

    # Reference: RFC 3501 6.3.8 LIST with an empty name returns the hierarchy delimiter
    def folder_name(self, folder: str) -> str:
        """`folder` with "/" as separator, written with the server's own delimiter ("." on Maildir)."""
        if not self._delimiter:
            with self._command("LIST") as box:
                typ, data = box.client.list('""', '""')
            self._delimiter = "/"
            if typ == "OK" and data and isinstance(data[0], bytes):
                m = re.search(rb'\) "(.)"', data[0])
                if m:
                    self._delimiter = m.group(1).decode()
        return folder.replace("/", self._delimiter)

    # Reference: RFC 3501 6.3.11 APPEND
    def append(self, raw: bytes, folder: str | None = None, *, seen: bool = False) -> None:
        """Put a message into a folder (a sent mail into Sent; tests and the benchmark fill mailboxes)."""
        name = self.folder_name(folder) if folder else self.folder_name(self.settings.folder)
        with self._command("APPEND") as box:
            box.append(raw, name, flag_set=["\\Seen"] if seen else None)

    def create_folder(self, folder: str) -> None:
        """Create a folder ("/" as separator) unless it exists (tests, the benchmark)."""
        name = self.folder_name(folder)
        with self._command("CREATE") as box:
            if not box.folder.exists(name):
                box.folder.create(name)


def check_connection(settings: ImapSettings) -> int:
    """Log in and select the folder; returns the number of messages not yet processed."""
    with ImapClient(settings) as imap:
        return len(imap.unprocessed_uids())
