"""The GwG file (GwG-Akte, §§ 8, 10-15 GwG): cases, their parties, identifications, beneficial owners,
risk assessments, suspicion notes, the office's risk analysis, and the audit of deletions.

Everything here is readable only with the GwG permission (`gwg.access.ensure_gwg`), never part of a
Datenauskunft (§47 GwG; the personal-data sections are registered `secret`), and deleted five years
after the end of the calendar year in which the business relationship ended (§8 Abs. 4 GwG,
`gwg.retention`), whatever the office would rather do; a `DeletionRecord` says so afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.validation import SingleLineFields


class GwgCase(SingleLineFields, models.Model):
    """One mediation that the GwG covers: a purchase, or a rental at or above the §1 Abs. 11 threshold."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase mediation")
        RENTAL = "rental", _("Rental (monthly rent at or above 10,000 EUR)")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("opened by hand")
        RESERVED = "reserved", _("property reserved")
        NOTARY = "notary", _("notary draft requested")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # The property may be deleted later; the case stays (its label keeps what it was about).
    property = models.ForeignKey(
        "properties.Property", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    property_label = models.CharField(_("property"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PURCHASE)
    monthly_rent = models.DecimalField(
        _("monthly rent (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    price = models.DecimalField(_("price (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(_("opened"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    # The business relationship ended (deal closed or fell through): the 5 years count from this year's end.
    ended_on = models.DateField(_("relationship ended on"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible agent"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("GwG case")
        verbose_name_plural = _("GwG cases")
        ordering = ["-opened_on", "-pk"]
        indexes = [
            models.Index(fields=["office", "status"], name="gwgcase_office_status"),
            models.Index(fields=["office", "ended_on"], name="gwgcase_office_ended"),
        ]

    def __str__(self) -> str:
        return f"GwG #{self.pk} {self.property_label}".strip()


class Party(SingleLineFields, models.Model):
    """A party of a case: buyer, seller, client or a representative; a natural or a legal person."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")
        CLIENT = "client", _("Client")
        REPRESENTATIVE = "representative", _("Representative")
        TENANT = "tenant", _("Tenant")
        LANDLORD = "landlord", _("Landlord")

    class PersonKind(models.TextChoices):
        NATURAL = "natural", _("natural person")
        LEGAL = "legal", _("legal person or partnership")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(GwgCase, on_delete=models.CASCADE, related_name="parties")
    # Kept when the contact is deleted: the file must be kept (§8 Abs. 4 GwG); the name stays here.
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    person_kind = models.CharField(
        _("person"), max_length=10, choices=PersonKind.choices, default=PersonKind.NATURAL
    )
    name = models.CharField(_("name"), max_length=200)
    # Legal persons (§11 Abs. 4 Nr. 2 GwG)
    legal_form = models.CharField(_("legal form"), max_length=100, blank=True)
    register_number = models.CharField(_("register number"), max_length=100, blank=True)
    seat = models.CharField(_("seat"), max_length=200, blank=True)
    representatives = models.TextField(_("legal representatives"), blank=True)
    transparency_extract = models.FileField(
        _("Transparency Register extract"), upload_to="gwg/extracts/", blank=True, max_length=300
    )
    transparency_checked_on = models.DateField(_("Transparency Register checked on"), null=True, blank=True)
    represents = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acts for"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("GwG party")
        verbose_name_plural = _("GwG parties")
        ordering = ["case", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_legal(self) -> bool:
        return self.person_kind == self.PersonKind.LEGAL


class Identification(SingleLineFields, models.Model):
    """How and with which document a natural person was identified (§11 Abs. 4 Nr. 1, §12, §8 GwG)."""

    class IdType(models.TextChoices):
        ID_CARD = "id_card", _("Identity card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE = "residence", _("Residence permit")
        OTHER = "other", _("Other official document")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("in person, with the original document")
        EID = "eid", _("electronic ID (eID)")
        VIDEO = "video", _("video identification")
        NOTARY = "notary", _("taken from the notary")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="identification")
    first_names = models.CharField(_("first names"), max_length=200)
    last_name = models.CharField(_("last name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    birth_place = models.CharField(_("place of birth"), max_length=200)
    nationality = models.CharField(_("nationality"), max_length=2)
    address = models.CharField(_("address"), max_length=300)
    id_type = models.CharField(_("ID document"), max_length=10, choices=IdType.choices)
    id_number = models.CharField(_("document number"), max_length=40)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    valid_until = models.DateField(_("valid until"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identified by"),
    )
    # The copy of the ID document (§8 Abs. 2 Satz 2 GwG): only the Fernet ciphertext is stored.
    id_copy = models.FileField(_("copy of the ID document"), upload_to="gwg/ids/", blank=True, max_length=300)
    id_copy_name = models.CharField(_("file name"), max_length=200, blank=True)
    id_copy_type = models.CharField(_("file type"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")

    def __str__(self) -> str:
        return f"{self.first_names} {self.last_name}"


class BeneficialOwner(SingleLineFields, models.Model):
    """A beneficial owner of a legal person (§3, §11 Abs. 5 GwG)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="beneficial_owners")
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    share = models.DecimalField(
        _("share or voting rights (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    nature = models.CharField(_("nature of the control"), max_length=300, blank=True)
    checked_on = models.DateField(_("checked on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("beneficial owner")
        verbose_name_plural = _("beneficial owners")
        ordering = ["party", "pk"]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(models.Model):
    """The risk of one case (§10 Abs. 2, §§14, 15 GwG): factors, result and the reasoning."""

    class Result(models.TextChoices):
        SIMPLIFIED = "simplified", _("simplified due diligence")
        NORMAL = "normal", _("normal due diligence")
        ENHANCED = "enhanced", _("enhanced due diligence")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(GwgCase, on_delete=models.CASCADE, related_name="risk")
    pep = models.BooleanField(_("politically exposed person (PEP), family member or close associate"))
    pep_checked_on = models.DateField(_("PEP check on"), default=timezone.localdate)
    pep_source = models.CharField(_("PEP check: how"), max_length=300, blank=True)
    high_risk_country = models.BooleanField(_("high-risk third country involved"))
    cash = models.BooleanField(_("cash payment"))
    unusual_price = models.BooleanField(_("unusual price"))
    other_factors = models.TextField(_("other factors"), blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    reasoning = models.TextField(_("reasoning"))
    source_of_funds = models.TextField(_("source of funds and its plausibility"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return str(self.get_result_display())


class SuspicionNote(models.Model):
    """The consideration whether to report to the FIU (§43 GwG) and its decision, with reasons.

    Only for users with the GwG permission; never part of a Datenauskunft (§47 GwG, tipping-off ban).
    """

    class Decision(models.TextChoices):
        OPEN = "open", _("still being considered")
        NO_REPORT = "no_report", _("no report")
        REPORTED = "reported", _("reported to the FIU (goAML)")

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(GwgCase, on_delete=models.CASCADE, related_name="suspicion_notes")
    facts = models.TextField(_("facts and consideration"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reasons = models.TextField(_("reasons for the decision"), blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report_reference = models.CharField(_("goAML reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("suspicion note")
        verbose_name_plural = _("suspicion notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.get_decision_display())


class RiskAnalysis(models.Model):
    """The office's own written risk analysis (§5 GwG), one row per version."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("risk analysis"))
    review_due = models.DateField(_("review due on"))
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("office risk analysis")
        verbose_name_plural = _("office risk analyses")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["office", "version"], name="gwg_riskanalysis_version")]

    def __str__(self) -> str:
        return f"v{self.version}"


class IdCopyView(models.Model):
    """Every time somebody opened an ID copy (or a dossier with it): who, when."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    identification = models.ForeignKey(Identification, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=30)

    class Meta:
        verbose_name = _("view of an ID copy")
        verbose_name_plural = _("views of ID copies")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.purpose}"


class DeletionRecord(models.Model):
    """The audit row left when a case was deleted at the end of its retention period (no personal data)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    case_number = models.PositiveBigIntegerField(_("case"))
    ended_on = models.DateField(_("relationship ended on"))
    held_until = models.DateField(_("kept until"))
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    counts = models.JSONField(_("deleted records"), default=dict)

    class Meta:
        verbose_name = _("GwG deletion record")
        verbose_name_plural = _("GwG deletion records")
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.case_number}"
