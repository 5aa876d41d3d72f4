"""Real failures of a transfer, against real servers: FTPS (TLS required, an untrusted certificate),
an unreachable FTP server, a full disk on the FTP server (mid-upload ENOSPC, 552, 452), and
ImmobilienScout24's rate limit (429 + Retry-After). Each leaves a German state on the listing and in
the run, loses nothing, lists nothing twice, and the next run works."""

from __future__ import annotations

import datetime as dt
import errno
import io
import ipaddress
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, FTPHandler, TLS_FTPHandler

from maklerwerk.portals import services
from maklerwerk.portals.models import Portal, PortalAssignment, TransferRun
from tests.conftest import api_client_for
from tests.portals.conftest import add_picture, is24_portal_data, make_listing, serve_ftp
from tests.portals.test_ftp_transfer import make_portal, package_xml, uploaded

pytestmark = pytest.mark.django_db(transaction=True)


def self_signed(directory: Path) -> Path:
    """A certificate for 127.0.0.1 signed by itself, with its key, in one PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ftp.portal.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "ftp-cert.pem"
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@pytest.fixture
def ftps_server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    cert = self_signed(tmp_path)
    yield from serve_ftp(
        tmp_path / "ftps",
        TLS_FTPHandler,
        certfile=str(cert),
        tls_control_required=True,
        tls_data_required=True,
    )


def retry_now(portal: Portal) -> None:
    """The time the portal asked for has passed."""
    Portal.objects.filter(pk=portal.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))


def test_ftps_required_untrusted_then_trusted(office, admin_user, agent, listing, ftps_server, monkeypatch):
    portal = make_portal(office, admin_user, ftps_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None and run.state == "failed"
    assert run.message.startswith("Der FTP-Server verlangt FTPS: beim Portal „FTPS (TLS)“ einschalten")
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "error" and "verlangt FTPS" in assignment.last_error

    # FTPS on, but the server's certificate is its own: refused, not silently accepted.
    services.portal_update(portal=portal, acting_user=admin_user, data={"use_tls": True})
    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "failed"
    assert "Zertifikat des FTP-Servers ist nicht vertrauenswürdig" in run.message
    assert uploaded(ftps_server) == []

    # The office trusts it (SSL_CERT_FILE): the package goes out over TLS, control and data.
    monkeypatch.setenv("SSL_CERT_FILE", str(ftps_server["root"].parent / "ftp-cert.pem"))
    run = services.transfer_start(portal=portal, full=False, acting_user=agent)
    run.refresh_from_db()
    assert run.state == "succeeded", run.message
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""
    (package,) = uploaded(ftps_server)
    assert package_xml(package).findtext("anbieter/immobilie/verwaltung_techn/objektnr_extern") == "MW-0001"
    assert services.portal_check(portal=portal, acting_user=admin_user).startswith("OK: 220")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_server_is_retried_later_and_nothing_is_lost(
    office, admin_user, agent, listing, ftp_server
):
    portal = make_portal(office, admin_user, ftp_server, port=closed_port())
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None
    assert run.state == "failed" and "nicht erreichbar: Verbindung abgelehnt" in run.message
    assert "Nächster Versuch ab" in run.message
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "retry" and assignment.get_state_display() == "Erneuter Versuch geplant"
    assert "nicht erreichbar" in assignment.last_error
    assert run.package and run.entries.get().hint.startswith("FTP-Server 127.0.0.1")  # kept for support
    portal.refresh_from_db()
    assert portal.retry_at is not None and portal.retry_at > timezone.now()
    assert services.portals_due() == []  # the tick waits
    shown = api_client_for(admin_user).get(f"/api/v1/portals/{portal.pk}").json()
    assert shown["retry_at"] is not None

    Portal.objects.filter(pk=portal.pk).update(port=ftp_server["port"])  # the server is back
    retry_now(portal)
    assert services.transfers_tick() == 1
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""
    assert len(uploaded(ftp_server)) == 1
    portal.refresh_from_db()
    assert portal.retry_at is None


class QuotaFS(AbstractedFS):
    """A disk that fills up after 4 KB: writes fail with ENOSPC, as on a full server."""

    full = True

    def open(self, filename: str, mode: str) -> Any:
        f = super().open(filename, mode)
        return _Quota(f, 4096) if "w" in mode and self.full else f


class _Quota(io.RawIOBase):
    def __init__(self, f: Any, room: int) -> None:
        self.f, self.room, self.name = f, room, f.name

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return int(self.f.write(data))

    def close(self) -> None:
        self.f.close()
        super().close()


class ProftpdDTP(DTPHandler):
    """Answers a failed write as proftpd does ("426 Transfer aborted. No space left on device");
    pyftpdlib 2.2 loses the errno there and says "426 None"."""

    def handle_error(self) -> None:
        cause = sys.exc_info()[1]
        cause = cause.__cause__ if cause is not None else None
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            self._resp = ("426 Transfer aborted. No space left on device", logging.getLogger(__name__).info)
            self.close()
            return
        super().handle_error()


class FullHandler(FTPHandler):
    """A server whose quota check answers STOR at once (552 as proftpd, 452 as RFC 959)."""

    full = True
    reply = ""

    def ftp_STOR(self, file: str, mode: str = "w") -> Any:
        if self.full:
            self.respond(self.reply)
            return None
        return super().ftp_STOR(file, mode)


FULL_DISKS: dict[str, tuple[type[FTPHandler], dict[str, Any]]] = {
    "enospc-mid-upload": (FTPHandler, {"abstracted_fs": QuotaFS, "dtp_handler": ProftpdDTP}),
    "552-quota": (FullHandler, {"reply": "552 Requested file action aborted. Exceeded storage allocation."}),
    "452-no-room": (FullHandler, {"reply": "452 Insufficient storage space in system."}),
}


@pytest.mark.parametrize("disk", list(FULL_DISKS))
def test_a_full_disk_on_the_server_says_so_and_the_next_run_works(
    office, admin_user, agent, listing, tmp_path, disk
):
    base, attrs = FULL_DISKS[disk]
    server = serve_ftp(tmp_path / "ftp", base, **attrs)
    ftp = next(server)
    try:
        add_picture(listing, caption="Garten", name="garten.jpg")  # a package larger than 4 KB
        portal = make_portal(office, admin_user, ftp)
        services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
        run = TransferRun.objects.filter(portal=portal).first()
        assert run is not None and run.state == "failed"
        assert run.message.startswith("Kein Speicherplatz auf dem FTP-Server des Portals"), run.message
        assignment = PortalAssignment.objects.get(portal=portal, property=listing)
        assert assignment.state == "retry" and "Kein Speicherplatz" in assignment.last_error
        assert uploaded(ftp) == []  # no half file, no .part taking the room

        (attrs.get("abstracted_fs") or ftp["handler"]).full = False  # the portal made room
        retry_now(portal)
        assert services.transfers_tick() == 1
        assignment.refresh_from_db()
        assert assignment.state == "online" and assignment.last_error == ""
        assert [p.suffix for p in uploaded(ftp)] == [".zip"]
    finally:
        next(server, None)


def test_is24_rate_limit_pauses_the_run_and_the_next_one_sends_only_the_rest(
    office, admin_user, agent, listing, is24
):
    second = make_listing(office, agent, "MW-0002", title="Zweite Wohnung")
    add_picture(second, caption="Flur")
    add_picture(second, caption="Bad")
    portal = services.portal_create(
        office=office, acting_user=admin_user, data={**is24_portal_data(is24), "active": False}
    )
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    services.property_portals_set(prop=second, portal_ids=[portal.pk], acting_user=agent)
    app = is24["app"]
    app.rate_limit = 11  # the first listing takes 9 calls; the second runs into the limit

    services.portal_update(portal=portal, acting_user=admin_user, data={"active": True})
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None
    assert run.state == "failed" and run.message.startswith("ImmobilienScout24: Anfragelimit erreicht")
    assert "nicht noch einmal gesendet" in run.message and "Nächster Versuch ab" in run.message
    states = dict(PortalAssignment.objects.values_list("property__external_id", "state"))
    assert states == {"MW-0001": "online", "MW-0002": "retry"}
    portal.refresh_from_db()
    assert portal.retry_at is not None
    assert dt.timedelta(seconds=50) < portal.retry_at - timezone.now() <= dt.timedelta(seconds=61)
    assert services.portals_due() == []

    app.rate_limit = 2000  # the minute has passed
    retry_now(portal)
    before = len(app.requests)
    assert services.transfers_tick() == 1
    states = dict(PortalAssignment.objects.values_list("property__external_id", "state"))
    assert states == {"MW-0001": "online", "MW-0002": "online"}
    first_id = PortalAssignment.objects.get(property=listing).portal_object_id
    assert not [r for r in app.requests[before:] if first_id in r.path]  # the first is not sent again
    assert len(app.listings(is24["user"])) == 2
    record = app.by_external_id(is24["user"], "MW-0002")
    assert record is not None and len(record["attachments"]) == 2  # no picture twice
    assert app.parallel_publishes == 0


def test_a_short_is24_retry_after_is_waited_out_in_place(office, admin_user, agent, listing, is24):
    app = is24["app"]
    app.rate_limit, app.rate_window = 4, 1.0  # 4 calls a second: Retry-After 1
    portal = services.portal_create(office=office, acting_user=admin_user, data=is24_portal_data(is24))
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal).first()
    assert run is not None
    assert run.state == "succeeded", run.message
    assert PortalAssignment.objects.get(property=listing).state == "online"
    assert app.throttled > 0
