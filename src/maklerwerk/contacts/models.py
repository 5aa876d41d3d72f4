from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """A person or company in the CRM (Kontakt/Adresse). Always belongs to one office."""

    class Salutation(models.TextChoices):
        MR = "herr", _("Mr")
        MS = "frau", _("Ms")
        DIVERSE = "divers", _("Diverse")
        NONE = "", _("none")

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

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["office", "last_name", "first_name"], name="contact_office_name"),
            models.Index(fields=["office", "city"], name="contact_office_city"),
            models.Index(fields=["office", "company_name"], name="contact_office_company"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.title, self.first_name, self.last_name) if p)
        if name and self.company_name:
            return f"{name} ({self.company_name})"
        return name or self.company_name or f"#{self.pk}"


class ContactEmail(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("private")
        BUSINESS = "business", _("business")
        OTHER = "other", _("other")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    # Stored trimmed; `value_normalized` (lower case) is what comparisons and look-ups use.
    value = models.CharField(_("e-mail"), max_length=254)
    value_normalized = models.CharField(max_length=254, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRIVATE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.value


class ContactPhone(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("private")
        BUSINESS = "business", _("business")
        MOBILE = "mobile", _("mobile")
        FAX = "fax", _("fax")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    # E.164 (+4969123456), normalised with `phonenumbers`, default region DE; raw input kept if unparsable.
    value = models.CharField(_("phone"), max_length=40, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.value
