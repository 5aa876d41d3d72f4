"""Why a transfer run stopped before every entry went out (shared by both transports)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stop:
    """`message`: German, for the agent; `retry`: waiting may help (a server unreachable or full,
    a rate limit); `retry_after`: the seconds the portal asked for (IS24's 429 `Retry-After`)."""

    message: str
    retry: bool = False
    retry_after: float = 0.0
