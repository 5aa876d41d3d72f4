"""ImmobilienScout24 transport of a transfer run (filled in with the REST client)."""

from __future__ import annotations

from maklerwerk.portals.models import Portal, TransferRun


def connection_check(portal: Portal) -> str:
    return "ImmobilienScout24: noch nicht verbunden." if not portal.connected else "OK"


def send_entries(run: TransferRun) -> str | None:
    return "ImmobilienScout24 ist noch nicht angebunden."
