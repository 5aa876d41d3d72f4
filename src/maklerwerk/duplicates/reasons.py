"""Reason codes from scoring, as sentences users understand (German by default)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from maklerwerk.duplicates import errors, scoring

# A pair an import put on the Dubletten page: the new contact was created but is only a "mögliche
# Dublette" of an existing one, so a user decides (merge or "not duplicates"); searches keep it.
IMPORT_REVIEW = "import_review"
# The same for a contact an inquiry created (policy attach-certain, only a possible duplicate found).
INQUIRY_REVIEW = "inquiry_review"
REVIEW_CODES = (IMPORT_REVIEW, INQUIRY_REVIEW)


def reason_texts(codes: Iterable[str]) -> list[str]:
    """("name_sounds_same", "same_postal_code") → ["Name klingt gleich (Kölner Phonetik), gleiche PLZ"]."""
    texts = {
        scoring.SAME_EMAIL: _("same e-mail address"),
        scoring.SAME_PHONE: _("phone number identical"),
        scoring.SAME_NAME: _("same name"),
        scoring.NAME_SOUNDS_SAME: _("name sounds the same (Kölner Phonetik)"),
        scoring.NAME_SIMILAR: _("name spelled similarly"),
        scoring.NAMES_SWAPPED: _("first and last name swapped"),
        scoring.SAME_FIRST_NAME_OTHER_LAST: _("same first name, other last name"),
        scoring.SAME_LAST_NAME: _("same last name, other first name"),
        scoring.SAME_BIRTH_DATE: _("same birth date"),
        scoring.SAME_ADDRESS: _("same address"),
        scoring.SAME_POSTAL_CODE: _("same postal code"),
        scoring.SAME_CITY: _("same city"),
        scoring.SAME_COMPANY: _("same company"),
        scoring.OTHER_PERSON_SAME_PLACE: _(
            "another street and other contact details: probably another person of that name nearby"
        ),
        errors.ERRORS_EXPLAIN: _("other fields agree; differences like this data's usual typing errors"),
        IMPORT_REVIEW: _("imported as a new contact; please check whether it is the same person"),
        INQUIRY_REVIEW: _(
            "created from an inquiry as a new contact; please check whether it is the same person"
        ),
    }
    codes = list(codes)
    name_codes = [
        c for c in codes if c in {scoring.SAME_NAME, scoring.NAME_SOUNDS_SAME, scoring.NAME_SIMILAR}
    ]
    out: list[str] = []
    for code in codes:
        if code == scoring.SAME_POSTAL_CODE and name_codes:
            continue  # said together with the name
        text = texts.get(code, code)
        if code in name_codes and scoring.SAME_POSTAL_CODE in codes:
            text = _("%(name)s, same postal code") % {"name": text}
        elif code in name_codes and scoring.SAME_CITY in codes:
            text = _("%(name)s, same city") % {"name": text}
        if code == scoring.SAME_CITY and name_codes:
            continue
        out.append(text)
    return out
