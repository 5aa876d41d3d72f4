"""The field catalogue: every placeholder a template may use, its meaning and its resolver.

A resolver is a plain function of a `MailContext` returning a string. It is the only code a
template can reach. A field that has no value in this context (no property chosen, document
sharing not available) raises `FieldUnavailable`; rendering turns that into an error instead of
sending a blank, except inside `{% if %}`, which is what `if` is for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.core.baseurl import absolute_url, base_url
from maklerwerk.core.registry import Registry
from maklerwerk.matching.services import self_service_link_create

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


class FieldUnavailable(Exception):
    """This field has no value for this recipient/property (shown to the user as the reason)."""


@dataclass
class MailContext:
    """What a template is rendered for. `preview`: never create links, show examples instead."""

    office: Office
    acting_user: User | None
    contact: Contact | None = None
    prop: Property | None = None
    preview: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # values a caller supplies, e.g. confirmation link
    cache: dict[str, str] = field(default_factory=dict)
    created_links: list[dict[str, Any]] = field(default_factory=list)
    # The agent the mail is about when it is not the property's (an appointment's responsible user).
    agent_user: User | None = None

    @property
    def agent(self) -> User | None:
        for candidate in (
            self.agent_user,
            getattr(self.prop, "responsible_agent", None),
            getattr(self.contact, "responsible_agent", None),
            self.acting_user,
        ):
            if candidate is not None:
                return candidate
        return None


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: str | Promise
    group: str | Promise
    resolve: Callable[[MailContext], str]
    example: str = ""


def money(value: Decimal | None, *, cents: bool = False) -> str:
    """German money format: 450.000 € / 1.250,50 €."""
    if value is None:
        return ""
    text = f"{value:,.2f}" if cents else f"{value:,.0f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") + " €"


def number(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}".strip()


def _contact(ctx: MailContext) -> Contact:
    if ctx.contact is None:
        raise FieldUnavailable(_("no contact chosen"))
    return ctx.contact


def _property(ctx: MailContext) -> Property:
    if ctx.prop is None:
        raise FieldUnavailable(_("no property chosen"))
    return ctx.prop


def _agent(ctx: MailContext) -> User:
    agent = ctx.agent
    if agent is None:
        raise FieldUnavailable(_("no responsible agent"))
    return agent


def contact_email(contact: Contact) -> str:
    first = contact.emails.order_by("position", "pk").first()
    return first.value if first else (contact.company_email or "")


def _price(ctx: MailContext) -> str:
    prop = _property(ctx)
    if prop.marketing_type == "kauf":
        return money(prop.purchase_price)
    return money(prop.cold_rent, cents=True)


def _commission(ctx: MailContext) -> str:
    prop = _property(ctx)
    parts = [prop.buyer_commission_text]
    if prop.buyer_commission_percent is not None:
        parts.append(_("%(p)s %% incl. VAT") % {"p": number(prop.buyer_commission_percent)})
    return " – ".join(p for p in parts if p)


def _property_address(ctx: MailContext) -> str:
    prop = _property(ctx)
    place = f"{prop.postal_code} {prop.city}".strip()
    if prop.show_address and prop.street:
        return f"{prop.street} {prop.house_number}".strip() + (f", {place}" if place else "")
    return place


@dataclass(frozen=True)
class LinkMaker:
    """Creates the personal link a placeholder stands for, contributed by the app that owns such
    links (registered in its ready()): `make(ctx, contact, prop)` returns the absolute URL and notes
    the link in `ctx.created_links`."""

    key: str  # the placeholder, e.g. "links.dokumente"
    make: Callable[[MailContext, Contact, Property], str]


# Mailing cannot import the apps that send mail through it (sharing): they register their links here.
LINK_MAKERS: Registry[LinkMaker] = Registry("mail link makers")


def _document_link(ctx: MailContext) -> str:
    contact, prop = _contact(ctx), _property(ctx)
    if ctx.preview:
        return f"{base_url(ctx.office)}/d/…  ({_('created when sending')})"
    maker = LINK_MAKERS.get("links.dokumente")
    if maker is None:
        raise FieldUnavailable(_("document sharing is not available"))
    return maker.make(ctx, contact, prop)


def _tour_link(ctx: MailContext) -> str:
    """The open link of the property's published virtual tour (tours registers the maker)."""
    prop = _property(ctx)
    if ctx.preview:
        return "https://my.matterport.com/show/?m=…"
    maker = LINK_MAKERS.get("objekt.rundgang_link")
    if maker is None:
        raise FieldUnavailable(_("virtual tours are not available"))
    return maker.make(ctx, ctx.contact, prop)  # type: ignore[arg-type]  # the tour link needs no contact


def _self_service_link(ctx: MailContext) -> str:
    contact = _contact(ctx)
    if ctx.preview:
        return f"{base_url(ctx.office)}/properties/s/…  ({_('created when sending')})"

    link, token = self_service_link_create(contact=contact, acting_user=ctx.acting_user)
    ctx.created_links.append({"kind": "self_service_link", "id": link.pk, "created": True})
    return absolute_url(reverse("properties:self_service", args=[token]), office=ctx.office)


def _extra(name: str, unavailable: Promise, preview: str = "") -> Callable[[MailContext], str]:
    """A value the sending code supplies (`ctx.extra`); elsewhere `unavailable` is the reason."""

    def resolve(ctx: MailContext) -> str:
        if name in ctx.extra:
            return ctx.extra[name]
        if ctx.preview:
            return preview or f"{base_url(ctx.office)}/…  ({_('created when sending')})"
        raise FieldUnavailable(str(unavailable))

    return resolve


def _office_address(ctx: MailContext) -> str:
    o = ctx.office
    return ", ".join(p for p in (o.street, f"{o.postal_code} {o.city}".strip()) if p)


LINK_FIELD = "links.dokumente"
LINK_EXPIRY_FIELD = "links.gueltig_bis"
BOOKING_LINK_FIELD = "links.termin"
APPOINTMENT_ONLY = gettext_lazy("only available in mails about an appointment")
AGENDA_ONLY = gettext_lazy("only available in the daily agenda mail")


def _booking_link(ctx: MailContext) -> str:
    """`{{ links.termin }}`: the contact's personal booking page for the property's viewing slots
    (appointments registers the maker; a mail that sends its own link puts it in `ctx.cache`)."""
    contact, prop = _contact(ctx), _property(ctx)
    if ctx.preview:
        return f"{base_url(ctx.office)}/appointments/b/…  ({_('created when sending')})"
    maker = LINK_MAKERS.get(BOOKING_LINK_FIELD)
    if maker is None:
        raise FieldUnavailable(_("viewing slots are not available"))
    return maker.make(ctx, contact, prop)


G_CONTACT, G_PROPERTY, G_AGENT, G_OFFICE, G_LINKS, G_APPOINTMENT = (
    gettext_lazy("Contact"),
    gettext_lazy("Property"),
    gettext_lazy("Agent"),
    gettext_lazy("Office"),
    gettext_lazy("Links"),
    gettext_lazy("Appointment"),
)

CATALOGUE: list[Placeholder] = [
    Placeholder(
        "kontakt.briefanrede",
        gettext_lazy("Letter salutation, e.g. “Sehr geehrte Frau Dr. Müller”"),
        G_CONTACT,
        lambda c: _contact(c).letter_salutation_display,
        "Sehr geehrte Frau Dr. Müller",
    ),
    Placeholder(
        "kontakt.anrede",
        gettext_lazy("Salutation (Frau/Herr)"),
        G_CONTACT,
        lambda c: str(_contact(c).get_salutation_display()) if _contact(c).salutation else "",
        "Frau",
    ),
    Placeholder(
        "kontakt.titel", gettext_lazy("Academic title"), G_CONTACT, lambda c: _contact(c).title, "Dr."
    ),
    Placeholder(
        "kontakt.vorname", gettext_lazy("First name"), G_CONTACT, lambda c: _contact(c).first_name, "Anna"
    ),
    Placeholder(
        "kontakt.nachname", gettext_lazy("Last name"), G_CONTACT, lambda c: _contact(c).last_name, "Müller"
    ),
    Placeholder(
        "kontakt.name",
        gettext_lazy("Full name (with company)"),
        G_CONTACT,
        lambda c: _contact(c).display_name,
        "Dr. Anna Müller",
    ),
    Placeholder("kontakt.firma", gettext_lazy("Company"), G_CONTACT, lambda c: _contact(c).company_name, ""),
    Placeholder(
        "kontakt.email",
        gettext_lazy("First e-mail address"),
        G_CONTACT,
        lambda c: contact_email(_contact(c)),
        "anna.mueller@example.org",
    ),
    Placeholder(
        "objekt.titel",
        gettext_lazy("Property title"),
        G_PROPERTY,
        lambda c: _property(c).title or _property(c).external_id,
        "Helle 3-Zimmer-Wohnung mit Balkon",
    ),
    Placeholder(
        "objekt.kennung",
        gettext_lazy("External id (Kennung)"),
        G_PROPERTY,
        lambda c: _property(c).external_id,
        "W-2024-017",
    ),
    Placeholder(
        "objekt.objektart",
        gettext_lazy("Object kind"),
        G_PROPERTY,
        lambda c: str(_property(c).get_object_kind_display()),
        "Wohnung",
    ),
    Placeholder(
        "objekt.preis",
        gettext_lazy("Purchase price or cold rent, formatted"),
        G_PROPERTY,
        _price,
        "450.000 €",
    ),
    Placeholder(
        "objekt.provision", gettext_lazy("Buyer's commission"), G_PROPERTY, _commission, "3,57 % inkl. MwSt."
    ),
    Placeholder(
        "objekt.wohnflaeche",
        gettext_lazy("Living area"),
        G_PROPERTY,
        lambda c: number(_property(c).living_area, "m²"),
        "86 m²",
    ),
    Placeholder(
        "objekt.zimmer", gettext_lazy("Rooms"), G_PROPERTY, lambda c: number(_property(c).rooms), "3"
    ),
    Placeholder(
        "objekt.hausgeld",
        gettext_lazy("Monthly owners' fee (Hausgeld)"),
        G_PROPERTY,
        lambda c: money(_property(c).hausgeld, cents=True),
        "320,00 €",
    ),
    Placeholder(
        "objekt.bezugsfrei",
        gettext_lazy("Vacant from (date, immediately or by arrangement)"),
        G_PROPERTY,
        lambda c: _property(c).vacancy_display,
        "ab 01.03.2027",
    ),
    Placeholder(
        "objekt.heizungsart",
        gettext_lazy("Heating type"),
        G_PROPERTY,
        lambda c: str(_property(c).get_heating_type_display()) if _property(c).heating_type else "",
        "Zentralheizung",
    ),
    Placeholder(
        "objekt.provisionsfrei",
        gettext_lazy("“provisionsfrei” when the property is commission-free, else empty"),
        G_PROPERTY,
        lambda c: _("commission-free") if _property(c).commission_free else "",
        "provisionsfrei",
    ),
    Placeholder(
        "objekt.ort",
        gettext_lazy("Postal code and city"),
        G_PROPERTY,
        lambda c: f"{_property(c).postal_code} {_property(c).city}".strip(),
        "50667 Köln",
    ),
    Placeholder(
        "objekt.adresse",
        gettext_lazy("Address (street only if it may be shown)"),
        G_PROPERTY,
        _property_address,
        "50667 Köln",
    ),
    Placeholder(
        "objekt.rundgang_link",
        gettext_lazy("Open link of the published virtual tour"),
        G_PROPERTY,
        _tour_link,
        "https://my.matterport.com/show/?m=…",
    ),
    Placeholder(
        "makler.name",
        gettext_lazy("Responsible agent's name"),
        G_AGENT,
        lambda c: str(_agent(c)),
        "Max Makler",
    ),
    Placeholder(
        "makler.email", gettext_lazy("Agent's e-mail"), G_AGENT, lambda c: _agent(c).email, "max@example.org"
    ),
    Placeholder(
        "makler.telefon", gettext_lazy("Agent's phone"), G_AGENT, lambda c: _agent(c).phone, "0221 123456"
    ),
    Placeholder(
        "buero.name",
        gettext_lazy("Office name"),
        G_OFFICE,
        lambda c: c.office.name,
        "Testbüro Immobilien GmbH",
    ),
    Placeholder(
        "buero.adresse", gettext_lazy("Office address"), G_OFFICE, _office_address, "Domstraße 1, 50667 Köln"
    ),
    Placeholder(
        "buero.telefon", gettext_lazy("Office phone"), G_OFFICE, lambda c: c.office.phone, "0221 123450"
    ),
    Placeholder(
        "buero.email", gettext_lazy("Office e-mail"), G_OFFICE, lambda c: c.office.email, "info@example.org"
    ),
    Placeholder(
        "buero.website",
        gettext_lazy("Office website"),
        G_OFFICE,
        lambda c: c.office.website,
        "https://example.org",
    ),
    Placeholder(
        "buero.signatur",
        gettext_lazy("Office e-mail signature"),
        G_OFFICE,
        lambda c: c.office.email_signature,
        "Testbüro Immobilien GmbH · Domstraße 1 · 50667 Köln",
    ),
    Placeholder(
        "links.dokumente",
        gettext_lazy("Personal document link for this contact and property (created on demand)"),
        G_LINKS,
        _document_link,
        f"{settings.BASE_URL}/d/…",
    ),
    Placeholder(
        "links.suchprofil",
        gettext_lazy("Personal link to the self-service search form (created on demand)"),
        G_LINKS,
        _self_service_link,
        f"{settings.BASE_URL}/properties/s/…",
    ),
    Placeholder(
        "links.bestaetigung",
        gettext_lazy("Double-opt-in confirmation link (inquiry manager)"),
        G_LINKS,
        _extra(
            "links.bestaetigung", gettext_lazy("only available in automatic mails of the inquiry manager")
        ),
        f"{settings.BASE_URL}/…",
    ),
    Placeholder(
        "links.rundgang",
        gettext_lazy("Personal link to the full virtual tour (mail that grants access)"),
        G_LINKS,
        _extra(
            "links.rundgang", gettext_lazy("only available in the mail that grants access to a virtual tour")
        ),
        f"{settings.BASE_URL}/tours/p/…",
    ),
    Placeholder(
        LINK_EXPIRY_FIELD,
        gettext_lazy("Expiry date of the document link (mail that sends a document link)"),
        G_LINKS,
        _extra(
            LINK_EXPIRY_FIELD,
            gettext_lazy("only available in the mail that sends a document link"),
            "31.12.2026",
        ),
        "31.12.2026",
    ),
    Placeholder(
        BOOKING_LINK_FIELD,
        gettext_lazy("Personal booking link for the property's viewing slots (created on demand)"),
        G_LINKS,
        _booking_link,
        f"{settings.BASE_URL}/appointments/b/…",
    ),
    # Values of one appointment, supplied by the appointment mails (invitation, change, cancellation,
    # reminder, request); user data is inserted as it is, never parsed as a template.
    Placeholder(
        "termin.titel",
        gettext_lazy("Title of the appointment"),
        G_APPOINTMENT,
        _extra("termin.titel", APPOINTMENT_ONLY, "Besichtigung Altbau am Park"),
        "Besichtigung Altbau am Park",
    ),
    Placeholder(
        "termin.zeit",
        gettext_lazy("Date and time (Berlin time)"),
        G_APPOINTMENT,
        _extra("termin.zeit", APPOINTMENT_ONLY, "12.12.2026 10:00–10:30"),
        "12.12.2026 10:00–10:30",
    ),
    Placeholder(
        "termin.ort",
        gettext_lazy("Place or meeting point"),
        G_APPOINTMENT,
        _extra("termin.ort", APPOINTMENT_ONLY, "Parkstraße 5, 60311 Frankfurt am Main"),
        "Parkstraße 5, 60311 Frankfurt am Main",
    ),
    Placeholder(
        "termin.teilnehmer",
        gettext_lazy("Names of the invited contacts"),
        G_APPOINTMENT,
        _extra("termin.teilnehmer", APPOINTMENT_ONLY, "Erika Mustermann"),
        "Erika Mustermann",
    ),
    Placeholder(
        "termin.link",
        gettext_lazy("The appointment in Maklerwerk (for agents)"),
        G_APPOINTMENT,
        _extra("termin.link", APPOINTMENT_ONLY),
        f"{settings.BASE_URL}/appointments/17/",
    ),
    Placeholder(
        "termin.tag",
        gettext_lazy("Day of the agenda"),
        G_APPOINTMENT,
        _extra("termin.tag", AGENDA_ONLY, "12.12.2026"),
        "12.12.2026",
    ),
    Placeholder(
        "termin.anzahl",
        gettext_lazy("Number of appointments of the agenda"),
        G_APPOINTMENT,
        _extra("termin.anzahl", AGENDA_ONLY, "3"),
        "3",
    ),
    Placeholder(
        "termin.liste",
        gettext_lazy("The day's appointments, one block each (agenda)"),
        G_APPOINTMENT,
        _extra("termin.liste", AGENDA_ONLY, "10:00–10:30  Besichtigung Altbau am Park"),
        "10:00–10:30  Besichtigung Altbau am Park",
    ),
]

BY_NAME: dict[str, Placeholder] = {p.name: p for p in CATALOGUE}


def catalogue_groups() -> list[tuple[str, list[Placeholder]]]:
    groups: dict[str, list[Placeholder]] = {}
    for p in CATALOGUE:
        groups.setdefault(str(p.group), []).append(p)
    return list(groups.items())
