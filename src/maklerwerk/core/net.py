"""The client's IP address, the same for login throttling, rate limits and consent records."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client, honouring `PROXY_COUNT` reverse proxies in front of us.

    Each proxy appends the address it was connected from to `X-Forwarded-For`, so with N proxies
    the client is the N-th entry from the right; everything left of it may be forged by the client
    and is never used. With `PROXY_COUNT=0` (no proxy) the header is ignored entirely. A header with
    fewer entries than proxies, or an entry that is no IP address, falls back to `REMOTE_ADDR`.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
