from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from maklerwerk.core.validation import SingleLineFields

TILE_PARTS = ("{z}", "{x}", "{y}")


def validate_tile_url(value: str) -> None:
    """A tile URL template: http(s), a host, and the {z}, {x} and {y} placeholders."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or not all(p in value for p in TILE_PARTS):
        raise ValidationError(
            _("Enter the address of a tile server with {z}, {x} and {y}, e.g. %(example)s."),
            params={"example": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"},
        )


class Office(SingleLineFields, models.Model):
    """The company whose data this is (Maklerbüro). Every domain record belongs to one office."""

    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="office/", blank=True)
    imprint = models.TextField(_("imprint"), blank=True)
    email_signature = models.TextField(_("e-mail signature"), blank=True)
    terms_text = models.TextField(_("terms and conditions (AGB)"), blank=True)
    cancellation_notice_text = models.TextField(_("cancellation notice (Widerrufsbelehrung)"), blank=True)
    # Empty: no page asks a third party for map tiles (privacy by default; a sketch is drawn instead).
    map_tile_url = models.CharField(
        _("map tile server"),
        max_length=300,
        blank=True,
        validators=[validate_tile_url],
        help_text=_(
            "Empty: maps are drawn here as a sketch of the neighbouring places, and no page asks another "
            "server for anything. To show map tiles, enter a tile server, e.g. "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png (OpenStreetMap; the browsers of your users "
            "then load the tiles from there) or your own."
        ),
    )
    # "2FA Pflicht": every user of the office sets up and uses two-factor login (accounts.twofactor).
    two_factor_required = models.BooleanField(
        _("two-factor login required"),
        default=False,
        help_text=_(
            "Every user must log in with a code from an authenticator app as well; users without one "
            "are asked to set it up at their next page. API tokens keep working."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class User(SingleLineFields, AbstractUser):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        return Role.ADMIN if self.is_superuser else self.role

    def can(self, capability: Capability) -> bool:
        if not self.is_active:
            return False
        return capability in ROLE_CAPABILITIES.get(self.effective_role, frozenset())


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once at creation.

    `scope` narrows what it may do: a website's inquiry form gets a token that can only create
    inquiries, so a leaked form token cannot read the office's contacts.
    """

    class Scope(models.TextChoices):
        FULL = "full", _("Full access (like the user)")
        INQUIRIES_CREATE = "inquiries:create", _("Create inquiries only (website form)")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("First characters, to recognise the token")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=30, choices=Scope.choices, default=Scope.FULL)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class RecoveryCode(models.Model):
    """A one-time recovery code for the two-factor login (phone lost). Only a SHA-256 hash is stored;
    the codes are shown once when they are made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.code_hash[:8]}"
