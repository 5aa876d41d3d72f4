from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Property(models.Model):
    """A property the office markets (Immobilie/Objekt). Fields follow OpenImmo; see the properties issue."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="properties")
    external_id = models.CharField(_("external id (Kennung)"), max_length=50)
    title = models.CharField(_("title"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.UniqueConstraint(fields=["office", "external_id"], name="property_external_id_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title}".strip()
