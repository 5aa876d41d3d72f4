"""What other apps can attach to an offer's mails besides the exposé and the property's documents.

The tours app registers its tour PDF here (in its ready()): per recipient, because it may carry the
recipient's personal link to the full tour. Exposés cannot import the apps built on them, so they
ask this registry. `make` is called once per mail it goes into, with `ref` naming that mail (the
offer recipient): called again for the same mail (a retry), it must give the same attachment and
do nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.services import Attachment
    from maklerwerk.properties.models import Property


@dataclass(frozen=True)
class OfferExtraFor:
    prop: Property
    contact: Contact
    acting_user: User | None
    ref: str  # e.g. "offer-recipient:42": the same mail, the same ref


@dataclass(frozen=True)
class OfferExtra:
    key: str
    label: str | Promise
    available: Callable[[Property], bool]  # offered for this property (e.g. it has a published tour)
    make: Callable[[OfferExtraFor], Attachment | None]  # None: nothing for this property
    order: int = 50


OFFER_EXTRAS: Registry[OfferExtra] = Registry("offer extras")


def extras_for(keys: list[str], what: OfferExtraFor) -> list[Attachment]:
    out = []
    for extra in OFFER_EXTRAS:
        if extra.key in keys:
            made = extra.make(what)
            if made is not None:
                out.append(made)
    return out


def extra_choices(properties: list[Property]) -> list[tuple[str, str]]:
    """(key, label) of the extras available for at least one of `properties`."""
    return [(e.key, str(e.label)) for e in OFFER_EXTRAS if any(e.available(p) for p in properties)]
