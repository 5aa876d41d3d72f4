"""Where each app keeps data about a person: the sections of a Datenauskunft and of an erasure.

Like the office export's `EXPORT_SECTIONS`, every app registers a `PersonalDataSection` per model
that holds rows about a contact in its `AppConfig.ready()` (`PERSONAL_DATA.register_all([...])`).
The privacy app reads them for the Art. 15/20 export (one JSON key per section, files copied) and for
the Art. 17 erasure (what a row is kept for, and what happens to it when it is free). A later app
(tours, sync, GwG) adds its sections the same way and appears in both at once.

A section names:
- `contact_lookup`: the field(s) from the row to the contact, "|" between alternatives
  ("from_contact|to_contact"), a many-to-many name works too ("further_contacts");
- `retained_by`: `Retained(kind, date_field, filter)` entries: rows matching the filter are records
  of that retention kind (the privacy app's rule table says how long and why), counted from the
  date field; a row may match several (the longest hold wins);
- `erase`: what an erasure does with a free row: "delete" it, "scrub" the `scrub` text fields
  (the row stays for statistics), or "keep" (the contact's own row: anonymised by the contacts app);
- `secret`: never part of a Datenauskunft (e.g. GwG beneficial owners: other people's data; suspicion
  notes are not contact sections at all, tipping-off ban, §47 GwG).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from django.utils.functional import Promise


@dataclass(frozen=True)
class Retained:
    """Rows of a section that a retention duty keeps: `kind` is a key of the privacy rules."""

    kind: str  # "business_letter", "contract", "invoice", "mabv", "gwg", "expose_evidence"
    date_field: str  # the period counts from the end of this date's calendar year
    filter: Q | None = None  # which rows (None: all)
    # A row without its date is held as if the period began today (the GwG file: five years from
    # the end of a relationship that still lasts); otherwise such a row is not held.
    open_ended: bool = False


@dataclass(frozen=True)
class PersonalDataSection:
    key: str  # the section's name in data.json, e.g. "emails"
    model: str  # "app_label.ModelName"
    contact_lookup: str  # "contact", "from_contact|to_contact", "further_contacts"
    order: int
    label: str | Promise  # German heading in the PDF summary
    leave_out: frozenset[str] = frozenset()  # internal columns (tokens, hashes, raw mail)
    retained_by: tuple[Retained, ...] = ()  # rows kept by retention duties
    erase: str = "delete"  # "delete" | "scrub" | "keep"
    scrub: frozenset[str] = frozenset()  # text fields blanked by "scrub" (JSON fields become {})
    secret: bool = False  # never exported to the person (§47 GwG)
    proof: Q | None = None  # rows an erasure keeps as its own proof (the erasure's activity)
    summary: tuple[str, ...] = ()  # fields shown per row in the PDF summary

    def __post_init__(self) -> None:
        if self.erase not in ("delete", "scrub", "keep"):
            raise ValueError(f"personal data section {self.key}: unknown erase mode {self.erase!r}")

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def contact_q(self, contact_id: int) -> Q:
        q = Q()
        for path in self.contact_lookup.split("|"):
            q |= Q(**{path: contact_id})
        return q

    def queryset(self, contact_id: int, office_id: int) -> models.QuerySet[Any]:
        model = self.get_model()
        qs = model._default_manager.filter(self.contact_q(contact_id))
        if any(f.name == "office" for f in model._meta.concrete_fields):
            qs = qs.filter(office_id=office_id)
        return qs.distinct().order_by("pk")

    def retained(self, qs: models.QuerySet[Any]) -> Iterator[tuple[str, int, Any]]:
        """(kind, row id, date) of every row of `qs` a retention duty keeps; the date is "open" for a
        row of an `open_ended` rule whose period has not begun."""
        for r in self.retained_by:
            rows = qs.filter(r.filter) if r.filter is not None else qs
            for pk, date in rows.values_list("pk", r.date_field):
                yield r.kind, pk, ("open" if date is None and r.open_ended else date)


PERSONAL_DATA: Registry[PersonalDataSection] = Registry("personal data sections")
