"""FTP upload of portal packages (OpenImmo): binary mode, upload as `name.part`, then rename.

An importer that polls the folder never sees half a file: the package appears under its real name
only once it is complete (RNFR/RNTO). Every failure becomes an `FtpError` with a German message
that names what the server said (e.g. "530 Login incorrect."), and whether waiting helps
(`permanent`: a wrong password stays wrong; a full disk or an unreachable server may pass).

FTPS (`tls`) is explicit TLS (AUTH TLS, then PROT P for the data channel) and verifies the
server's certificate against the system's trust store (`SSL_CERT_FILE` / `SSL_CERT_DIR` add one),
unlike `ftplib.FTP_TLS`'s default context, which accepts any certificate.
"""

from __future__ import annotations

import contextlib
import ftplib
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30
# Replies of a server that has no room: 452 (RFC 959 "insufficient storage"), 552 (quota,
# "exceeded storage allocation"), or pyftpdlib/vsftpd's 426/451 naming the full device.
DISK_FULL = re.compile(r"^(452|552)|no space left|storage|quota|disk full", re.IGNORECASE)
TLS_REQUIRED = re.compile(r"(SSL|TLS|AUTH).*(required|only)|required.*(SSL|TLS)", re.IGNORECASE)


class FtpError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class FtpTarget:
    host: str
    port: int
    user: str
    password: str
    folder: str = ""
    passive: bool = True
    tls: bool = False


def _why(exc: BaseException) -> str:
    """The OS's reason, in German where it is one of the usual ones."""
    if isinstance(exc, ConnectionRefusedError):
        return "Verbindung abgelehnt (kein FTP-Dienst auf diesem Port)"
    if isinstance(exc, socket.gaierror):
        return "Servername unbekannt"
    if isinstance(exc, TimeoutError):
        return f"keine Antwort innerhalb von {TIMEOUT} Sekunden"
    return str(exc) or exc.__class__.__name__


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(ssl.Purpose.SERVER_AUTH)


def _login(ftp: ftplib.FTP, target: FtpTarget) -> None:
    try:
        ftp.login(target.user, target.password)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()
    except ssl.SSLCertVerificationError as exc:
        ftp.close()
        raise FtpError(
            f"FTPS: Das Zertifikat des FTP-Servers ist nicht vertrauenswürdig ({exc.verify_message}).",
            permanent=True,
        ) from exc
    except ftplib.error_perm as exc:
        ftp.close()
        if not target.tls and TLS_REQUIRED.search(str(exc)):
            raise FtpError(
                f"Der FTP-Server verlangt FTPS: beim Portal „FTPS (TLS)“ einschalten ({exc}).", permanent=True
            ) from exc
        raise FtpError(f"FTP-Anmeldung abgelehnt: {exc}", permanent=True) from exc
    except (OSError, EOFError, ftplib.Error) as exc:
        ftp.close()
        raise FtpError(f"FTP-Anmeldung fehlgeschlagen: {_why(exc)}") from exc


def _connect(target: FtpTarget) -> ftplib.FTP:
    ftp: ftplib.FTP
    if target.tls:
        ftp = ftplib.FTP_TLS(timeout=TIMEOUT, context=_tls_context())  # noqa: S321  # verified TLS
    else:  # plain FTP is what many OpenImmo portals still offer
        ftp = ftplib.FTP(timeout=TIMEOUT)  # noqa: S321
    try:
        ftp.connect(target.host, target.port)
    except (OSError, EOFError, ftplib.Error) as exc:
        raise FtpError(
            f"FTP-Server {target.host}:{target.port} nicht erreichbar: {_why(exc)}. "
            "Die nächste Übertragung versucht es erneut."
        ) from exc
    _login(ftp, target)
    ftp.set_pasv(target.passive)
    ftp.voidcmd("TYPE I")
    if target.folder:
        try:
            ftp.cwd(target.folder)
        except ftplib.error_perm as exc:
            ftp.quit()
            raise FtpError(f"FTP-Ordner „{target.folder}“ nicht vorhanden: {exc}", permanent=True) from exc
    return ftp


def check(target: FtpTarget) -> str:
    """Log in and look at the folder: the server's greeting on success, else FtpError."""
    ftp = _connect(target)
    try:
        return ftp.getwelcome()
    finally:
        ftp.quit()


def _refused(exc: ftplib.Error) -> FtpError:
    if DISK_FULL.search(str(exc)):
        return FtpError(
            f"Kein Speicherplatz auf dem FTP-Server des Portals ({exc}). Das Portal muss Platz schaffen; "
            "die nächste Übertragung versucht es erneut."
        )
    if isinstance(exc, ftplib.error_perm):
        return FtpError(f"FTP-Server lehnt die Datei ab: {exc}", permanent=True)
    return FtpError(f"FTP-Server bricht das Hochladen ab: {exc}. Die nächste Übertragung versucht es erneut.")


def upload(target: FtpTarget, local: Path, remote_name: str) -> None:
    """Upload `local` as `remote_name` (via `remote_name.part` and a rename). Running it again
    with the same name replaces the file: the upload of a run is idempotent. A refused upload
    removes its `.part` where the connection still allows it (a full disk gets its room back)."""
    part = f"{remote_name}.part"
    ftp = _connect(target)
    try:
        with local.open("rb") as f:
            ftp.storbinary(f"STOR {part}", f)
        with contextlib.suppress(ftplib.error_perm):  # not there yet: the usual case
            ftp.delete(remote_name)
        ftp.rename(part, remote_name)
        ftp.quit()
    except ftplib.Error as exc:
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            ftp.delete(part)
        ftp.close()
        raise _refused(exc) from exc
    except (OSError, EOFError) as exc:
        reply = _pending_reply(ftp)
        if reply is not None:  # the server closed the data channel and said why (e.g. a full disk)
            with contextlib.suppress(OSError, EOFError, ftplib.Error):
                ftp.delete(part)  # the control channel still answers: give the room back
            ftp.close()
            raise _refused(reply) from exc
        ftp.close()
        raise FtpError(
            f"FTP-Verbindung während des Hochladens abgebrochen: {_why(exc)}. "
            "Die nächste Übertragung versucht es erneut."
        ) from exc


def _pending_reply(ftp: ftplib.FTP) -> ftplib.Error | None:
    """The server's error reply after it cut the data channel, if the control channel has one."""
    try:
        if ftp.sock is not None:
            ftp.sock.settimeout(5)
        ftp.voidresp()
    except ftplib.Error as exc:
        return exc
    except (OSError, EOFError):
        return None
    return None


# --- reading a drop folder (the old system uploads its OpenImmo export, we fetch it) -------------

PACKAGE = re.compile(r"\.(zip|xml)$", re.IGNORECASE)


def packages(target: FtpTarget) -> list[tuple[str, int]]:
    """(name, size) of the complete packages in the folder (.zip/.xml; `.part` and the like not),
    oldest name first. FtpError when the server cannot be read."""
    ftp = _connect(target)
    try:
        names = sorted(n for n in ftp.nlst() if PACKAGE.search(n) and "/" not in n.strip("./"))
        ftp.voidcmd("TYPE I")  # NLST switched to ASCII; SIZE needs binary
        out = [(name, int(ftp.size(name) or 0)) for name in names]
        ftp.quit()
        return out
    except ftplib.Error as exc:
        ftp.close()
        raise FtpError(f"FTP-Ordner kann nicht gelesen werden: {exc}") from exc
    except (OSError, EOFError) as exc:
        ftp.close()
        raise FtpError(
            f"FTP-Verbindung abgebrochen: {_why(exc)}. Der nächste Abruf versucht es erneut."
        ) from exc


def download(target: FtpTarget, name: str, max_bytes: int) -> bytes:
    """The file's bytes; FtpError (permanent) when it grows beyond `max_bytes` while reading."""
    ftp = _connect(target)
    chunks: list[bytes] = []
    size = 0

    def take(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)
        if size > max_bytes:
            raise FtpError(f"Die Datei {name} ist größer als {max_bytes // 2**20} MB.", permanent=True)
        chunks.append(chunk)

    try:
        ftp.retrbinary(f"RETR {name}", take)
        ftp.quit()
    except FtpError:
        ftp.close()
        raise
    except ftplib.Error as exc:
        ftp.close()
        raise FtpError(f"FTP-Server gibt die Datei {name} nicht heraus: {exc}") from exc
    except (OSError, EOFError) as exc:
        ftp.close()
        raise FtpError(
            f"FTP-Verbindung abgebrochen: {_why(exc)}. Der nächste Abruf versucht es erneut."
        ) from exc
    return b"".join(chunks)


def move_aside(target: FtpTarget, name: str, folder: str) -> None:
    """Move a fetched file into `folder` (created when missing), so the next fetch skips it."""
    ftp = _connect(target)
    try:
        with contextlib.suppress(ftplib.error_perm):  # exists already
            ftp.mkd(folder)
        with contextlib.suppress(ftplib.error_perm):  # an older file of the same name: replaced
            ftp.delete(f"{folder}/{name}")
        ftp.rename(name, f"{folder}/{name}")
        ftp.quit()
    except ftplib.Error as exc:
        ftp.close()
        raise FtpError(f"FTP-Server kann {name} nicht verschieben: {exc}") from exc
    except (OSError, EOFError) as exc:
        ftp.close()
        raise FtpError(f"FTP-Verbindung abgebrochen: {_why(exc)}.") from exc
