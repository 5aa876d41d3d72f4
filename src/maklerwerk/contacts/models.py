from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maklerwerk.contacts.files import safe_extension
from maklerwerk.contacts.normalize import search_key
from maklerwerk.core.validation import SingleLineFields

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper


class KeyField(models.CharField):
    """A folded search/sort key. Byte-order collation on PostgreSQL too (as on SQLite), so a prefix
    search is a plain index range whatever the database's locale, and sorting uses the same index."""

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class Role(models.TextChoices):
    """Contact roles (Kontaktrollen); a contact may have several."""

    PROSPECT = "prospect", _("Prospect")
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Property manager")
    TENANT = "tenant", _("Tenant")
    BUYER = "buyer", _("Buyer")
    REFERRER = "referrer", _("Referrer")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


class Contact(SingleLineFields, models.Model):
    """A person or company in the CRM (Kontakt/Adresse). Always belongs to one office."""

    class Salutation(models.TextChoices):
        MR = "herr", _("Mr")
        MS = "frau", _("Ms")
        DIVERSE = "divers", _("Diverse")
        NONE = "", _("none")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")
        ITALIAN = "it", _("Italian")
        SPANISH = "es", _("Spanish")
        POLISH = "pl", _("Polish")
        TURKISH = "tr", _("Turkish")
        RUSSIAN = "ru", _("Russian")
        ARABIC = "ar", _("Arabic")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Real-estate portal")
        WEBSITE = "website", _("Website")
        REFERRAL = "referral", _("Referral")
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone call")
        SIGN = "sign", _("Sign at the property")
        NEWSPAPER = "newspaper", _("Newspaper ad")
        SOCIAL = "social", _("Social media")
        IMPORT = "import", _("Import")
        OTHER = "other", _("Other")

    class LegalForm(models.TextChoices):
        GMBH = "gmbh", "GmbH"
        UG = "ug", "UG (haftungsbeschränkt)"
        AG = "ag", "AG"
        KG = "kg", "KG"
        GMBH_CO_KG = "gmbh_co_kg", "GmbH & Co. KG"
        OHG = "ohg", "OHG"
        GBR = "gbr", "GbR"
        EK = "ek", "e.K."
        EV = "ev", "e.V."
        EG = "eg", "eG"
        PARTG = "partg", "PartG"
        SE = "se", "SE"
        SOLE = "sole", _("Sole proprietor")
        OTHER = "other", _("Other")

    class IdDocument(models.TextChoices):
        ID_CARD = "id_card", _("Identity card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        OTHER = "other", _("Other")

    class ConfirmationChannel(models.TextChoices):
        EMAIL = "email", _("by e-mail")
        ONLINE = "online", _("online form")
        LETTER = "letter", _("by letter")
        IN_PERSON = "in_person", _("in person")
        PORTAL = "portal", _("via portal inquiry")
        OTHER = "other", _("other")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="contacts")
    salutation = models.CharField(_("salutation"), max_length=10, choices=Salutation.choices, blank=True)
    title = models.CharField(_("academic title"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE", blank=True)
    responsible_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_contacts",
        verbose_name=_("responsible agent"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # --- Persönliches (continued) ---
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.GERMAN, blank=True
    )
    letter_salutation = models.CharField(
        _("letter salutation"),
        max_length=200,
        blank=True,
        help_text=_("Empty: derived from salutation, title and name."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    photo = models.ImageField(_("photo"), upload_to="contacts/photos/", blank=True)

    # --- Firma ---
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=20, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)
    company_phone = models.CharField(_("company phone"), max_length=40, blank=True)
    company_email = models.CharField(_("company e-mail"), max_length=254, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)

    # --- Sonstiges ---
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    id_document_kind = models.CharField(
        _("ID document"), max_length=20, choices=IdDocument.choices, blank=True
    )
    id_document_number = models.CharField(_("ID document number"), max_length=50, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    # --- AGB / Provision and consent ---
    terms_confirmed = models.BooleanField(_("terms and commission confirmed"), default=False)
    terms_confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    terms_confirmed_via = models.CharField(
        _("confirmed via"), max_length=20, choices=ConfirmationChannel.choices, blank=True
    )
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    marketing_consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    marketing_consent_source = models.CharField(_("consent source"), max_length=200, blank=True)

    # --- Restriction of processing (Art. 18 DSGVO, §35 BDSG) and "Kontakt sperren" ---
    # A restricted contact is hidden from lists, searches and mailings; `restricted_until` is the
    # end of the retention hold that keeps it (empty: blocked until someone lifts it).
    restricted = models.BooleanField(_("processing restricted"), default=False, db_index=True)
    restricted_until = models.DateField(_("restricted until"), null=True, blank=True)
    restriction_reason = models.CharField(_("reason for the restriction"), max_length=300, blank=True)

    tags: models.ManyToManyField[Tag, ContactTag] = models.ManyToManyField(
        "Tag", through="ContactTag", blank=True, related_name="contacts"
    )

    # --- Derived columns for the list: folded keys (search and sort by index), last activity ---
    name_key = KeyField(max_length=202, blank=True, default="", editable=False)
    first_name_key = KeyField(max_length=100, blank=True, default="", editable=False)
    company_key = KeyField(max_length=200, blank=True, default="", editable=False)
    city_key = KeyField(max_length=100, blank=True, default="", editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["office", "last_name", "first_name"], name="contact_office_name"),
            models.Index(fields=["office", "city"], name="contact_office_city"),
            models.Index(fields=["office", "company_name"], name="contact_office_company"),
            models.Index(fields=["office", "name_key", "id"], name="contact_office_namekey"),
            models.Index(fields=["office", "first_name_key", "id"], name="contact_office_firstkey"),
            models.Index(fields=["office", "company_key", "id"], name="contact_office_companykey"),
            models.Index(fields=["office", "city_key", "id"], name="contact_office_citykey"),
            models.Index(fields=["office", "last_activity_at", "id"], name="contact_office_lastact"),
            models.Index(fields=["office", "created_at", "id"], name="contact_office_created"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.title, self.first_name, self.last_name) if p)
        if name and self.company_name:
            return f"{name} ({self.company_name})"
        return name or self.company_name or f"#{self.pk}"

    @property
    def sort_name(self) -> str:
        """ "Müller, Anna" for lists; the company when there is no person."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.company_name or f"#{self.pk}"

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p] or [self.company_name or "?"]
        return "".join(p[0] for p in parts[:2]).upper()

    def derived_letter_salutation(self) -> str:
        """ "Sehr geehrte Frau Dr. Müller", "Sehr geehrter Herr Meier", or a neutral greeting."""
        name = " ".join(p for p in (self.title, self.last_name) if p)
        english = self.preferred_language == self.Language.ENGLISH
        if self.salutation == self.Salutation.MS and self.last_name:
            return f"Dear Ms {name}" if english else f"Sehr geehrte Frau {name}"
        if self.salutation == self.Salutation.MR and self.last_name:
            return f"Dear Mr {name}" if english else f"Sehr geehrter Herr {name}"
        if self.last_name:
            full = " ".join(p for p in (self.title, self.first_name, self.last_name) if p)
            return f"Dear {full}" if english else f"Guten Tag {full}"
        return "Dear Sir or Madam" if english else "Sehr geehrte Damen und Herren"

    @property
    def letter_salutation_display(self) -> str:
        return self.letter_salutation or self.derived_letter_salutation()

    def update_keys(self) -> None:
        """Recompute the folded search/sort keys from the name, company and city fields."""
        self.name_key = search_key(f"{self.last_name} {self.first_name}")[:202]
        self.first_name_key = search_key(self.first_name)[:100]
        self.company_key = search_key(self.company_name)[:200]
        self.city_key = search_key(self.city)[:100]


class ContactEmail(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("private")
        BUSINESS = "business", _("business")
        OTHER = "other", _("other")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    # Set by the contact services; lets the office's data export include the row.
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, null=True, related_name="+")
    # Stored trimmed; `value_normalized` (lower case) is what comparisons and look-ups use.
    value = models.CharField(_("e-mail"), max_length=254)
    value_normalized = models.CharField(max_length=254, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIVATE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["office", "value_normalized"], name="contactemail_office_value")]

    def __str__(self) -> str:
        return self.value


class ContactPhone(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("private")
        BUSINESS = "business", _("business")
        MOBILE = "mobile", _("mobile")
        FAX = "fax", _("fax")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, null=True, related_name="+")
    # E.164 (+4969123456), normalised with `phonenumbers`, default region DE; raw input kept if unparsable.
    value = models.CharField(_("phone"), max_length=40, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["office", "value"], name="contactphone_office_value")]

    def __str__(self) -> str:
        return self.value


class ContactRole(models.Model):
    """One role of a contact; several per contact."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")
        constraints = [models.UniqueConstraint(fields=["contact", "role"], name="contact_role_once")]
        indexes = [models.Index(fields=["office", "role", "contact"], name="contact_role_office")]

    def __str__(self) -> str:
        return self.get_role_display()


class Tag(models.Model):
    """A free label of the office (Schlagwort), e.g. "Newsletter", "VIP"."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="tag_name_per_office")]

    def __str__(self) -> str:
        return self.name


class ContactTag(models.Model):
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="contact_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="contact_tags")

    class Meta:
        verbose_name = _("tag of a contact")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["contact", "tag"], name="contact_tag_once")]
        indexes = [models.Index(fields=["tag", "contact"], name="contact_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.tag_id}"


def contact_file_path(instance: ContactFile, filename: str) -> str:
    # Never the user's file name: a random name in a per-office folder, keeping a safe extension.
    import uuid

    return f"contacts/{instance.office_id}/{instance.contact_id}/{uuid.uuid4().hex}{safe_extension(filename)}"


class ContactFile(models.Model):
    """A document stored with a contact (Dateien tab)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=contact_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class RelationshipKind(models.TextChoices):
    """How `to_contact` relates to `from_contact`; each kind has an inverse label for the other side."""

    SPOUSE = "spouse", pgettext_lazy("relationship", "Spouse")
    CHILD = "child", pgettext_lazy("relationship", "Child")
    PARENT = "parent", pgettext_lazy("relationship", "Parent")
    SIBLING = "sibling", pgettext_lazy("relationship", "Sibling")
    PARTNER = "partner", pgettext_lazy("relationship", "Life partner")
    BUSINESS_PARTNER = "business_partner", pgettext_lazy("relationship", "Business partner")
    EMPLOYEE = "employee", pgettext_lazy("relationship", "Employee")
    EMPLOYER = "employer", pgettext_lazy("relationship", "Employer")
    LAWYER = "lawyer", pgettext_lazy("relationship", "Lawyer")
    TAX_ADVISOR = "tax_advisor", pgettext_lazy("relationship", "Tax advisor")
    CLIENT = "client", pgettext_lazy("relationship", "Client")
    CUSTOM = "custom", pgettext_lazy("relationship", "Custom")


INVERSE_KIND = {
    RelationshipKind.SPOUSE: RelationshipKind.SPOUSE,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.PARTNER: RelationshipKind.PARTNER,
    RelationshipKind.BUSINESS_PARTNER: RelationshipKind.BUSINESS_PARTNER,
    RelationshipKind.EMPLOYEE: RelationshipKind.EMPLOYER,
    RelationshipKind.EMPLOYER: RelationshipKind.EMPLOYEE,
    RelationshipKind.LAWYER: RelationshipKind.CLIENT,
    RelationshipKind.TAX_ADVISOR: RelationshipKind.CLIENT,
    RelationshipKind.CLIENT: RelationshipKind.CLIENT,
    RelationshipKind.CUSTOM: RelationshipKind.CUSTOM,
}


class Relationship(models.Model):
    """Stored once: `to_contact` is the `kind` of `from_contact` ("Ben is Anna's child").

    Anna's page shows Ben as "Kind"; Ben's page shows Anna with the inverse label "Elternteil".
    """

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    from_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="relationships_from")
    to_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("For custom relationships"))
    inverse_label = models.CharField(
        _("inverse label"), max_length=50, blank=True, help_text=_("How the other side sees it")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["from_contact", "to_contact"], name="relationship_once"),
            models.CheckConstraint(
                condition=~models.Q(from_contact=models.F("to_contact")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_contact_id} {self.kind} {self.from_contact_id}"

    def label_for(self, contact_id: int) -> str:
        """How the *other* person is labelled on `contact_id`'s page."""
        if contact_id == self.from_contact_id:
            return (
                self.label if self.kind == RelationshipKind.CUSTOM and self.label else self.get_kind_display()
            )
        if self.kind == RelationshipKind.CUSTOM:
            return self.inverse_label or self.label or str(RelationshipKind.CUSTOM.label)
        return str(RelationshipKind(INVERSE_KIND[RelationshipKind(self.kind)]).label)
