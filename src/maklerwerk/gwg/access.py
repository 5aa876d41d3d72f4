"""The one question every GwG path asks: may this user see and keep the GwG file?

Pages, file downloads, the API and the jobs all go through the services and selectors of this app,
and each of them calls `ensure_gwg` first. Only roles with `Capability.GWG` (accounts/roles.py)
pass; everybody else gets a 403, never a hint of what the file holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from maklerwerk.accounts.roles import Capability

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def gwg_allowed(user: User | None) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.office_id is not None and user.can(Capability.GWG)
    )


def ensure_gwg(user: User | None, *, system: bool = False) -> None:
    """403 unless `user` holds the GwG permission. `system=True` with no user: a job of the office."""
    if user is None and system:
        return
    if not gwg_allowed(user):
        raise PermissionDenied(_("Only users with the GwG permission may open the GwG file."))
