"""The office's Verarbeitungsverzeichnis (records of processing activities, Art. 30 Abs. 1 DSGVO),
generated from the office's settings and the data the system holds, and editable.

Each time it is shown, the document is generated: the controller from the office's address, the
data categories from the registered personal-data sections (`core.personal_data`), the people
concerned from the contacts' roles, the recipients from the office's portals, the deletion periods
from the retention rules and the inactive-prospect period, the measures (Art. 32) from the login
settings. What an administrator changed is kept per field in `ProcessingRegister.edits` and shown
instead of the generated text; a field emptied on the edit page goes back to the generated text, so
the rest keeps following the data. The PDF is the same document (WeasyPrint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import ContactRole, Role
from maklerwerk.core.personal_data import PERSONAL_DATA
from maklerwerk.portals.selectors import portals_for
from maklerwerk.privacy.inactive import privacy_settings_for
from maklerwerk.privacy.models import AccessLogEntry, ConsentRecord, ProcessingRegister
from maklerwerk.privacy.rules import rules_for
from maklerwerk.privacy.services import access_log

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

# The fields of one processing activity (Art. 30 Abs. 1 Satz 2 lit. b-f).
FIELDS = (
    ("purposes", gettext_lazy("Purposes of the processing")),
    ("legal_basis", gettext_lazy("Legal basis")),
    ("subjects", gettext_lazy("Categories of data subjects")),
    ("data", gettext_lazy("Categories of personal data")),
    ("recipients", gettext_lazy("Categories of recipients")),
    ("transfers", gettext_lazy("Transfers to third countries")),
    ("deletion", gettext_lazy("Time limits for erasure")),
)


@dataclass
class Entry:
    key: str
    title: str
    values: dict[str, str]
    edited: set[str] = field(default_factory=set)

    def rows(self) -> list[tuple[str, str, str, bool]]:
        """(field, label, text, edited) in the order of Art. 30."""
        return [(k, str(label), self.values.get(k, ""), k in self.edited) for k, label in FIELDS]


@dataclass
class Register:
    controller: str
    dpo: str
    measures: str
    entries: list[Entry]
    edited: set[str]
    generated_at: Any
    changed_at: Any = None
    changed_by: Any = None


def _lines(items: list[str]) -> str:
    return "\n".join(f"• {i}" for i in items if i)


def _generated(user: User) -> dict[str, Any]:
    office = user.office
    assert office is not None  # the pages and API refuse users without an office
    roles = dict(
        ContactRole.objects.filter(office=office)
        .values_list("role")
        .annotate(n=Count("contact", distinct=True))
        .values_list("role", "n")
    )
    subjects = [f"{Role(r).label}: {n}" for r, n in sorted(roles.items()) if r in Role.values]
    categories = [str(s.label) for s in PERSONAL_DATA if not s.secret]
    rules = rules_for(office.pk)
    deletion = [f"{r.label}: {r.years} " + _("years") + f" ({r.legal_basis})" for r in rules.values()]
    months = privacy_settings_for(office.pk).inactive_months
    deletion.append(
        _("Prospects without a deal: after %(months)s months without activity") % {"months": months}
        if months
        else _("Prospects without a deal: no period set")
    )
    deletion.append(_("Everything else: on request or when the purpose ends (Art. 17 GDPR)"))
    gwg = rules["gwg"]
    portals = [p.name for p in portals_for(user=user)]
    granted = ConsentRecord.objects.filter(office=office, status=ConsentRecord.Status.GRANTED).count()
    users = office.users.filter(is_active=True).count()
    with_2fa = TOTPDevice.objects.filter(user__office=office, user__is_active=True, confirmed=True).count()
    address = ", ".join(p for p in (office.street, f"{office.postal_code} {office.city}".strip()) if p)
    controller = _lines([office.name, address, office.email, office.phone])
    no_transfer = _("None. Data are stored with the office's operator in the EU.")
    entries = [
        Entry(
            "crm",
            _("Contact management and customer care"),
            {
                "purposes": _(
                    "Brokering properties: managing contacts, search profiles, "
                    "appointments and correspondence"
                ),
                "legal_basis": _(
                    "Art. 6 Abs. 1 lit. b GDPR (contract and pre-contractual steps); "
                    "lit. c (retention duties); lit. f"
                ),
                "subjects": _lines(subjects) or _("Prospects, owners, buyers, tenants"),
                "data": _lines(categories),
                "recipients": _lines(
                    [_("Staff of the office by role"), _("Notaries, financing partners on instruction")]
                ),
                "transfers": no_transfer,
                "deletion": _lines(deletion),
            },
        ),
        Entry(
            "marketing",
            _("Property marketing: exposés, offers, portals"),
            {
                "purposes": _("Presenting properties to prospects and on property portals"),
                "legal_basis": _("Art. 6 Abs. 1 lit. b GDPR; for owners' data the brokerage contract"),
                "subjects": _("Prospects, owners"),
                "data": _("Name, e-mail address, exposés sent, evidence of the exposé (Nachweis)"),
                "recipients": _lines(
                    [_("Property portals") + (f": {', '.join(portals)}" if portals else "")]
                ),
                "transfers": no_transfer,
                "deletion": _lines([deletion[-1]]),
            },
        ),
        Entry(
            "newsletter",
            _("Newsletter and advertising by e-mail"),
            {
                "purposes": _("Informing about new properties and services"),
                "legal_basis": _("Art. 6 Abs. 1 lit. a GDPR, UWG §7 (consent, with one-click unsubscribe)"),
                "subjects": _("Contacts with a granted consent: %(n)s") % {"n": granted},
                "data": _("Name, e-mail address, consent records (text, time, channel, evidence)"),
                "recipients": _("The office's mail server"),
                "transfers": no_transfer,
                "deletion": _("Until the consent is withdrawn; the proof of the consent for 3 years after"),
            },
        ),
        Entry(
            "inquiries",
            _("Inquiries from portals and the website"),
            {
                "purposes": _("Answering inquiries about properties"),
                "legal_basis": _("Art. 6 Abs. 1 lit. b GDPR"),
                "subjects": _("Inquirers"),
                "data": _("Name, contact data, message, the property asked about"),
                "recipients": _("Staff of the office"),
                "transfers": no_transfer,
                "deletion": _lines([deletion[-2], deletion[-1]]),
            },
        ),
        Entry(
            "gwg",
            _("Prevention of money laundering (GwG)"),
            {
                "purposes": _("Identifying the parties of a purchase, risk assessment (§§10-15 GwG)"),
                "legal_basis": _("Art. 6 Abs. 1 lit. c GDPR with §§10, 11, 8 GwG"),
                "subjects": _("Buyers, sellers, their representatives and beneficial owners"),
                "data": _(
                    "Identity document data and copy, date and place of birth, nationality, PEP status"
                ),
                "recipients": _(
                    "Financial Intelligence Unit (FIU) where a report is required; the supervisory authority"
                ),
                "transfers": no_transfer,
                "deletion": f"{gwg.label}: {gwg.years} " + _("years") + f" ({gwg.legal_basis})",
            },
        ),
        Entry(
            "users",
            _("User accounts and access log"),
            {
                "purposes": _("Logging in, rights by role, proving who exported or erased personal data"),
                "legal_basis": _("Art. 6 Abs. 1 lit. c and f GDPR; Art. 5 Abs. 2 (accountability)"),
                "subjects": _("Staff of the office: %(n)s active users") % {"n": users},
                "data": _("Name, user name, e-mail, role, login times, access log"),
                "recipients": _("Administrators of the office"),
                "transfers": no_transfer,
                "deletion": _("When the account is removed; the access log with the office's records"),
            },
        ),
    ]
    measures = _lines(
        [
            _("Two-factor login: required for every user")
            if office.two_factor_required
            else _("Two-factor login: optional"),
            _("%(n)s of %(total)s active users log in with two factors") % {"n": with_2fa, "total": users},
            _(
                "Passwords hashed with Argon2; failed logins locked out; "
                "API tokens and recovery codes stored as hashes"
            ),
            _(
                "Rights by role (administrator, agent, back office, read only); "
                "every office sees only its own data"
            ),
            _(
                "Stored mail passwords encrypted; "
                "exports of personal data only for the privacy role, each logged"
            ),
            _("Restriction and blocking of contacts; erasure against retention rules with a nightly job"),
        ]
    )
    return {"controller": controller, "dpo": "–", "measures": measures, "entries": entries}


def register_build(*, user: User) -> Register:
    """The document as shown: generated, with the administrator's edits on top."""
    generated = _generated(user)
    row = ProcessingRegister.objects.filter(office_id=user.office_id or 0).first()
    edits: dict[str, Any] = dict(row.edits) if row else {}
    edited = {k for k in ("controller", "dpo", "measures") if edits.get(k)}
    entries: list[Entry] = generated["entries"]
    for entry in entries:
        own = (edits.get("activities") or {}).get(entry.key) or {}
        for key, text in own.items():
            if text and key in dict(FIELDS):
                entry.values[key] = text
                entry.edited.add(key)
    return Register(
        controller=edits.get("controller") or generated["controller"],
        dpo=edits.get("dpo") or generated["dpo"],
        measures=edits.get("measures") or generated["measures"],
        entries=entries,
        edited=edited,
        generated_at=timezone.now(),
        changed_at=row.changed_at if row and edits else None,
        changed_by=row.changed_by if row and edits else None,
    )


@transaction.atomic
def register_edit(*, user: User, data: dict[str, str]) -> None:
    """Keep what differs from the generated text; an emptied field follows the data again.

    `data`: "controller", "dpo", "measures" and "<activity>.<field>" → text."""
    ensure_capability(user, Capability.PRIVACY)
    generated = _generated(user)
    by_key = {e.key: e for e in generated["entries"]}
    edits: dict[str, Any] = {"activities": {}}
    for key in ("controller", "dpo", "measures"):
        text = (data.get(key) or "").strip()[:5000]
        if text and text != generated[key].strip():
            edits[key] = text
    for name, value in data.items():
        activity, _sep, fld = name.partition(".")
        text = (value or "").strip()[:5000]
        if (
            activity in by_key
            and fld in dict(FIELDS)
            and text
            and text != by_key[activity].values[fld].strip()
        ):
            edits["activities"].setdefault(activity, {})[fld] = text
    ProcessingRegister.objects.update_or_create(
        office_id=user.office_id or 0, defaults={"edits": edits, "changed_by": user}
    )
    access_log(
        office_id=user.office_id or 0,
        user=user,
        action=AccessLogEntry.Action.REGISTER,
        contact_id=None,
        detail=_("Records of processing changed"),
    )


def register_pdf(*, user: User) -> bytes:
    # WeasyPrint takes a second to import; only this download needs it (as in exposes.render).
    from weasyprint import HTML

    html = render_to_string(
        "privacy/register_pdf.html", {"register": register_build(user=user), "office": user.office}
    )
    return bytes(HTML(string=html).write_pdf())
