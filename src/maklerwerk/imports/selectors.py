"""Reading import runs and saved mappings, always within the user's office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.imports.models import ImportMapping, ImportRun

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def run_list(*, user: User) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(office=user.office_id).select_related("created_by")


def run_get(*, user: User, pk: int) -> ImportRun:
    """A run of the user's office; another office's run is simply not found."""
    run = ImportRun.objects.filter(office=user.office_id, pk=pk).select_related("office").first()
    if run is None:
        raise Http404
    return run


def mapping_list(*, user: User, kind: str = "") -> QuerySet[ImportMapping]:
    """The office's saved mappings (of one kind of records, or all)."""
    found = ImportMapping.objects.filter(office=user.office_id)
    return found.filter(kind=kind) if kind else found


def mapping_get(*, user: User, pk: int) -> ImportMapping | None:
    return ImportMapping.objects.filter(office=user.office_id, pk=pk).first()
