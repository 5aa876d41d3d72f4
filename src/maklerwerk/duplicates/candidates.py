"""What the single duplicate check answers: a ranked list of `Candidate`s.

It lives here, beside the engine that finds them; contacts (and every entry path through
`contacts.intake`) only read it, so the import arrow points one way: contacts → duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact


@dataclass(frozen=True)
class Candidate:
    """An existing contact that may be the same person as the data being checked."""

    contact: Contact
    score: float  # 0..1
    level: Literal["certain", "possible"]  # office thresholds "sicher Dublette" / "mögliche Dublette"
    reasons: list[str] = field(default_factory=list)  # German, for users: "gleiche E-Mail-Adresse"
    similarities: dict[str, float] = field(default_factory=dict)  # per field, 0..1
    codes: list[str] = field(default_factory=list)  # the reason codes behind `reasons`

    @property
    def certain(self) -> bool:
        return self.level == "certain"
