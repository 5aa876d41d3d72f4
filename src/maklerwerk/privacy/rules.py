"""The retention rules: how long which kind of record is kept, and why. The one place to change them.

Periods as read in December 2026 (have them reviewed; an office overrides years and basis per kind
in its `RetentionRule` rows, on the page "Datenschutz → Aufbewahrungsfristen" or via the API):

- business letters (Handels- und Geschäftsbriefe, also e-mails that are such letters): 6 years,
  HGB §257 Abs. 1 Nr. 2-3, Abs. 4; AO §147 Abs. 1 Nr. 2-3, Abs. 3.
- the Maklervertrag (a business letter concluding the deal): 6 years, same norms.
- invoices and commission settlements (Buchungsbelege): 8 years since BEG IV (1 January 2025),
  AO §147 Abs. 1 Nr. 4, Abs. 3; HGB §257 Abs. 1 Nr. 4, Abs. 4; UStG §14b.
- MaBV records (§10 MaBV: client, property, fees): 5 years, MaBV §14.
- GwG records (identification, risk assessment): 5 years, GwG §8 Abs. 4; then deleted even if the
  office would rather keep them.
- the Nachweis of an exposé and of accepted commission terms: 3 years, the standard limitation
  period of a commission claim (BGB §§195, 199); keeping it is the legal-claims exception of
  DSGVO Art. 17 Abs. 3 lit. e (a legal reading, not a statute that says so).

Every period starts at the end of the calendar year of the record's date and ends on 31 December
of the last year (an invoice of 10 June 2025 is held until 31 December 2033). The extension while
a tax assessment is still open (AO §147 Abs. 3 Satz 3, Ablaufhemmung) is not modelled: an office
that needs it uses a legal hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from maklerwerk.privacy.models import RetentionKind, RetentionRule


@dataclass(frozen=True)
class Rule:
    kind: str
    years: int
    legal_basis: str
    custom: bool = False  # the office changed the default

    @property
    def label(self) -> str:
        return str(RetentionKind(self.kind).label)


DEFAULT_RULES: dict[str, Rule] = {
    rule.kind: rule
    for rule in (
        Rule(
            RetentionKind.BUSINESS_LETTER,
            6,
            "HGB §257 Abs. 1 Nr. 2, 3, Abs. 4; AO §147 Abs. 1 Nr. 2, 3, Abs. 3",
        ),
        Rule(RetentionKind.CONTRACT, 6, "HGB §257 Abs. 1 Nr. 2, Abs. 4; AO §147 Abs. 1 Nr. 2, Abs. 3"),
        Rule(
            RetentionKind.INVOICE, 8, "AO §147 Abs. 1 Nr. 4, Abs. 3; HGB §257 Abs. 1 Nr. 4, Abs. 4; UStG §14b"
        ),
        Rule(RetentionKind.MABV, 5, "MaBV §10, §14"),
        Rule(RetentionKind.GWG, 5, "GwG §8 Abs. 4"),
        Rule(RetentionKind.EXPOSE_EVIDENCE, 3, "BGB §§195, 199; DSGVO Art. 17 Abs. 3 lit. e"),
    )
}

LEGAL_HOLD_BASIS = _("Legal hold")


def rules_for(office_id: int) -> dict[str, Rule]:
    """The office's rules: the defaults above, replaced by its own rows."""
    rules = dict(DEFAULT_RULES)
    for row in RetentionRule.objects.filter(office_id=office_id):
        rules[row.kind] = Rule(row.kind, row.years, row.legal_basis, custom=True)
    return rules


def hold_until(record_date: dt.date | dt.datetime, years: int) -> dt.date:
    """The last day a record of `record_date` is held: 31 December of the year + `years`."""
    return dt.date(record_date.year + years, 12, 31)
