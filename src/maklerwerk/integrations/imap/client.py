"""A small IMAP client on the standard library's imaplib (IMAP4rev1, RFC 3501).

It connects, selects a folder, lists the UIDs not yet marked as processed, fetches raw
messages in batches, and marks or moves them. It knows nothing about inquiries.
Errors come out as `ImapError` with a German message and a `permanent` flag (wrong
credentials and a missing folder are permanent; an unreachable server is not).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

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


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapClient:
    """`with ImapClient(settings) as imap:` logs in and selects the folder; logs out on exit."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.conn: imaplib.IMAP4 | None = None
        self.uid_validity = 0

    # Reference: RFC 3501 6.2.3 LOGIN, 6.3.1 SELECT; RFC 2595 STARTTLS
    def __enter__(self) -> ImapClient:
        s = self.settings
        if s.security not in SECURITY_CHOICES:
            raise ImapError(f"Unbekannte Verschlüsselung „{s.security}“.", permanent=True)
        context = s.ssl_context or ssl.create_default_context()
        try:
            if s.security == "ssl":
                self.conn = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=s.timeout)
            else:
                self.conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self.conn.starttls(ssl_context=context)
        except TimeoutError as exc:
            raise ImapError(
                f"Server {s.host}:{s.port} antwortet nicht (Zeitüberschreitung).", permanent=False
            ) from exc
        except ssl.SSLError as exc:
            raise ImapError(
                f"TLS-Verbindung zu {s.host}:{s.port} fehlgeschlagen: {exc}", permanent=True
            ) from exc
        except (OSError, UnicodeError, imaplib.IMAP4.error) as exc:  # UnicodeError: host is no valid name
            raise ImapError(f"Server {s.host}:{s.port} nicht erreichbar ({exc}).", permanent=False) from exc
        try:
            self.conn.login(s.username, s.password)
        except imaplib.IMAP4.error as exc:
            self._close()
            raise ImapError(
                "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch.", permanent=True
            ) from exc
        try:
            typ, _data = self.conn.select(_quote(s.folder))
        except imaplib.IMAP4.error as exc:
            typ, _data = "NO", [str(exc).encode()]
        if typ != "OK":
            self._close()
            raise ImapError(f"Ordner „{s.folder}“ gibt es in diesem Postfach nicht.", permanent=True)
        self.uid_validity = self._uid_validity()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.conn is None:
            return
        try:
            if self.conn.state == "SELECTED":
                self.conn.close()
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.conn = None

    def _uid_validity(self) -> int:
        assert self.conn is not None
        _, data = self.conn.response("UIDVALIDITY")
        try:
            return int(data[0]) if data and data[0] else 0
        except (TypeError, ValueError):
            return 0

    def _check(self, typ: str, data: list[object], what: str) -> None:
        if typ != "OK":
            raise ImapError(f"IMAP-Befehl {what} fehlgeschlagen: {data!r}"[:300], permanent=False)

    # Reference: RFC 3501 6.4.4 SEARCH, 6.4.8 UID
    def unprocessed_uids(self) -> list[int]:
        """UIDs in the folder that do not carry the processed keyword, oldest first."""
        assert self.conn is not None
        typ, data = self.conn.uid("SEARCH", None, "UNDELETED", "UNKEYWORD", PROCESSED_KEYWORD)
        self._check(typ, data, "SEARCH")
        raw = data[0] if data and data[0] else b""
        return sorted(int(x) for x in raw.split())  # type: ignore[union-attr]

    # Reference: RFC 3501 6.4.5 FETCH (BODY.PEEK[] leaves \\Seen alone)
    def fetch(self, uids: list[int], batch: int = 50) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each uid, fetched `batch` at a time."""
        assert self.conn is not None
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            typ, data = self.conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            self._check(typ, data, "FETCH")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                m = re.search(rb"UID (\d+)", item[0])
                if m:
                    yield int(m.group(1)), item[1]

    # Reference: RFC 3501 6.4.6 STORE
    def mark_processed(self, uids: list[int]) -> None:
        assert self.conn is not None
        if uids:
            typ, data = self.conn.uid(
                "STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", f"({PROCESSED_KEYWORD})"
            )
            self._check(typ, data, "STORE")

    # Reference: RFC 6851 MOVE (fallback: COPY, STORE \\Deleted, UID EXPUNGE of RFC 4315)
    def move(self, uids: list[int], folder: str) -> None:
        assert self.conn is not None
        if not uids:
            return
        self.mark_processed(uids)
        folder = self.folder_name(folder)
        self.conn.create(_quote(folder))  # "already exists" is fine
        seq = ",".join(map(str, uids))
        typ, data = self.conn.uid("MOVE", seq, _quote(folder))
        if typ != "OK":
            typ, data = self.conn.uid("COPY", seq, _quote(folder))
            self._check(typ, data, "COPY")
            self.conn.uid("STORE", seq, "+FLAGS.SILENT", r"(\Deleted)")
            self.conn.expunge()

    # Reference: RFC 3501 6.3.8 LIST with an empty name returns the hierarchy delimiter
    def folder_name(self, folder: str) -> str:
        """`folder` with "/" as separator, written with the server's own delimiter ("." on Maildir)."""
        assert self.conn is not None
        typ, data = self.conn.list('""', '""')
        delimiter = "/"
        if typ == "OK" and data and isinstance(data[0], bytes):
            m = re.search(rb'\) "(.)"', data[0])
            if m:
                delimiter = m.group(1).decode()
        return folder.replace("/", delimiter)

    def append(self, raw: bytes, folder: str | None = None) -> None:
        """Put a message into a folder (used by tests and the benchmark to fill a mailbox)."""
        assert self.conn is not None
        typ, data = self.conn.append(_quote(folder or self.settings.folder), None, None, raw)
        self._check(typ, data, "APPEND")


def check_connection(settings: ImapSettings) -> int:
    """Log in and select the folder; returns the number of messages not yet processed."""
    with ImapClient(settings) as imap:
        return len(imap.unprocessed_uids())
