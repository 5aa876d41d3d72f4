"""FTP upload of portal packages (OpenImmo): binary mode, upload as `name.part`, then rename.

An importer that polls the folder never sees half a file: the package appears under its real name
only once it is complete (RNFR/RNTO). Every failure becomes an `FtpError` with a German message
that names what the server said (e.g. "530 Login incorrect.").
"""

from __future__ import annotations

import contextlib
import ftplib
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30


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


def _connect(target: FtpTarget) -> ftplib.FTP:
    # Plain FTP is what OpenImmo portals offer (FTPS where they can: `tls`).
    ftp: ftplib.FTP = ftplib.FTP_TLS(timeout=TIMEOUT) if target.tls else ftplib.FTP(timeout=TIMEOUT)  # noqa: S321
    try:
        ftp.connect(target.host, target.port)
    except (OSError, ftplib.Error) as exc:
        raise FtpError(f"FTP-Server {target.host}:{target.port} nicht erreichbar: {exc}") from exc
    try:
        ftp.login(target.user, target.password)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()
    except ftplib.error_perm as exc:
        ftp.close()
        raise FtpError(f"FTP-Anmeldung abgelehnt: {exc}", permanent=True) from exc
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


def upload(target: FtpTarget, local: Path, remote_name: str) -> None:
    """Upload `local` as `remote_name` (via `remote_name.part` and a rename). Running it again
    with the same name replaces the file: the upload of a run is idempotent."""
    part = f"{remote_name}.part"
    ftp = _connect(target)
    try:
        with local.open("rb") as f:
            ftp.storbinary(f"STOR {part}", f)
        with contextlib.suppress(ftplib.error_perm):  # not there yet: the usual case
            ftp.delete(remote_name)
        ftp.rename(part, remote_name)
        ftp.quit()
    except ftplib.error_perm as exc:
        ftp.close()
        raise FtpError(f"FTP-Server lehnt die Datei ab: {exc}", permanent=True) from exc
    except (TimeoutError, OSError, EOFError, ftplib.Error) as exc:
        ftp.close()
        raise FtpError(f"FTP-Verbindung während des Hochladens abgebrochen: {exc}") from exc
