"""Roles and what each may do. One table, so views and API ask the same question."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Agent")
    BACK_OFFICE = "backoffice", _("Back office")
    READ_ONLY = "readonly", _("Read only")


class Capability(StrEnum):
    VIEW = "view"  # read the office's records
    EDIT = "edit"  # create and change records
    DELETE = "delete"  # delete records, merge duplicates
    MANAGE_OFFICE = "manage_office"  # office settings, legal texts, mailboxes
    MANAGE_USERS = "manage_users"  # invite users, change roles
    # Data-protection requests: Datenauskunft, Löschung, Sperre, the access log (privacy app)
    PRIVACY = "privacy"
    # The GwG file (Geldwäschegesetz): cases, identifications and ID copies, suspicion notes (gwg app)
    GWG = "gwg"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.AGENT: frozenset({Capability.VIEW, Capability.EDIT, Capability.DELETE}),
    Role.BACK_OFFICE: frozenset({Capability.VIEW, Capability.EDIT}),
    Role.READ_ONLY: frozenset({Capability.VIEW}),
}
