"""The switch from the old system: one leading system per kind of data, and the cut-over steps.

Peers' migration guides are lists of warnings: one leading system per kind of data, the old
system's listings offline before the portals go live here, each mailbox in one system only, the
phone's address book emptied before the first contact sync. The office states per kind of data
which system leads since when (`leading_set`); while the old system leads, re-imports update the
records it owns; once Maklerwerk leads, a re-import no longer overwrites them (`update_blocked`).
The steps are ticked in order (`step_set`); a step whose earlier steps are open is refused with the
reason, because doing it early creates duplicates (listings twice on a portal, mails fetched twice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports.models import CutoverPlan, SourceSystem

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

MAKLERWERK = "maklerwerk"
DATA_KINDS: dict[str, Any] = {
    "contacts": gettext_lazy("Contacts"),
    "properties": gettext_lazy("Properties"),
    "search_profiles": gettext_lazy("Search profiles"),
    "activities": gettext_lazy("Activities"),
    "appointments": gettext_lazy("Appointments"),
    "mail": gettext_lazy("E-mail"),
}


def system_choices() -> list[tuple[str, str]]:
    return [(MAKLERWERK, "Maklerwerk"), *((v, str(label)) for v, label in SourceSystem.choices)]


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    hint: Any


STEPS: tuple[Step, ...] = (
    Step(
        "listings_offline",
        gettext_lazy("Take the listings offline in the old system"),
        gettext_lazy(
            "Switch off the old system's portal exports (ImmoScout24, "
            "Immowelt, homepage) so no listing is online twice."
        ),
    ),
    Step(
        "portals_active",
        gettext_lazy("Activate the portals in Maklerwerk"),
        gettext_lazy(
            "Enter the portal accounts here and send the "
            "listings: only after the old system's listings are offline."
        ),
    ),
    Step(
        "mailboxes_moved",
        gettext_lazy("Connect each mailbox in one system only"),
        gettext_lazy(
            "Remove the mailboxes from the old system before connecting "
            "them here; otherwise inquiries are fetched and answered twice."
        ),
    ),
    Step(
        "addressbook_emptied",
        gettext_lazy("Empty the address books before the first contact sync"),
        gettext_lazy(
            "Phones and Outlook still hold the old system's contacts; synced "
            "as well, every contact would come back as a duplicate."
        ),
    ),
    Step(
        "calendar_feeds",
        gettext_lazy("Replace the calendar feeds"),
        gettext_lazy(
            "Unsubscribe the old system's calendar feed and subscribe to each user's Maklerwerk feed."
        ),
    ),
    Step(
        "maklerwerk_leads",
        gettext_lazy("Maklerwerk leads for all data"),
        gettext_lazy(
            "Set Maklerwerk as the leading system for every "
            "kind of data; re-imports then no longer overwrite anything."
        ),
    ),
)


def plan_get(office: Office) -> CutoverPlan:
    """The office's plan (an empty one when nothing was stated yet; not saved)."""
    return CutoverPlan.objects.filter(office=office).first() or CutoverPlan(office=office)


@transaction.atomic
def leading_set(*, office: Office, acting_user: User, kind: str, system: str, since: dt.date) -> CutoverPlan:
    """State which system leads for one kind of data since when."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    if kind not in DATA_KINDS:
        raise ApplicationError(_("Unknown kind of data."))
    if system not in dict(system_choices()):
        raise ApplicationError(_("Unknown system."))
    if not dt.date(1990, 1, 1) <= since <= dt.date(2200, 12, 31):
        raise ApplicationError(_("Enter a date between 1990 and 2200."))
    plan, _created = CutoverPlan.objects.select_for_update().get_or_create(office=office)
    plan.leading = {**plan.leading, kind: {"system": system, "since": since.isoformat()}}
    plan.save(update_fields=["leading", "updated_at"])
    return plan


@transaction.atomic
def step_set(*, office: Office, acting_user: User, key: str, done: bool) -> CutoverPlan:
    """Tick or untick a cut-over step. A step is refused while an earlier one is open; the last
    (Maklerwerk leads) also while an old system still leads for some kind of data."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    keys = [s.key for s in STEPS]
    if key not in keys:
        raise ApplicationError(_("Unknown step."))
    plan, _created = CutoverPlan.objects.select_for_update().get_or_create(office=office)
    steps = dict(plan.steps)
    if done:
        open_before = [s for s in STEPS[: keys.index(key)] if s.key not in steps]
        if open_before:
            raise ApplicationError(
                _("First: “%(step)s”. Doing this step earlier creates duplicates.")
                % {"step": open_before[0].title}
            )
        if key == "maklerwerk_leads":
            old = [str(DATA_KINDS[k]) for k, v in plan.leading.items() if v.get("system") != MAKLERWERK]
            if old:
                raise ApplicationError(
                    _("The old system still leads for: %s. Set Maklerwerk as leading first.") % ", ".join(old)
                )
        steps[key] = {"done_at": timezone.now().isoformat(), "by": acting_user.get_username()}
    else:
        for later in keys[keys.index(key) :]:
            steps.pop(later, None)  # a step undone reopens the ones after it
    plan.steps = steps
    plan.save(update_fields=["steps", "updated_at"])
    return plan


def update_blocked(*, office: Office, kind: str, when: dt.date | None = None) -> str:
    """Why a re-import must not overwrite records of `kind` (German), or "" while the old system
    leads (or nothing was stated)."""
    lead = plan_get(office).leading.get(kind)
    if not lead or lead.get("system") != MAKLERWERK:
        return ""
    since = dt.date.fromisoformat(lead["since"])
    if since > (when or timezone.localdate()):
        return ""
    return _("Maklerwerk leads for %(kind)s since %(date)s; not overwritten by the old system.") % {
        "kind": DATA_KINDS[kind],
        "date": formats.date_format(since, "SHORT_DATE_FORMAT"),
    }
