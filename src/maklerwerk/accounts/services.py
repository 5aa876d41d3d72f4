from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.models import ApiToken, Office, User
from maklerwerk.accounts.roles import Role
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog

DEFAULT_OFFICE_NAME = "Mein Maklerbüro"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is safe here (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str = ApiToken.Scope.FULL) -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the row and the plain token, which is never stored."""
    plain = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip() or "API", prefix=plain[:12], token_hash=hash_token(plain), scope=scope
    )
    token.full_clean()
    token.save()
    return token, plain


def api_token_authenticate(plain: str) -> User | None:
    """The active user owning an active token, else None. Updates last use at most once a minute."""
    token = api_token_lookup(plain)
    return token.user if token is not None else None


def api_token_lookup(plain: str) -> ApiToken | None:
    """The active token (of an active user) for `plain`, else None. Updates last use at most once a minute."""
    if not plain.startswith(settings.API_TOKEN_PREFIX) or len(plain) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__office")
        .filter(token_hash=hash_token(plain), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, user: User, token_id: int) -> bool:
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def office_for_new_admin(office_ref: str | None) -> Office | None:
    """The office a superuser made on the command line is to administer; None: create the default one.

    `office_ref` (a name or an id) is needed when there are several offices, so that nobody
    silently becomes admin of the wrong one. Raises ApplicationError with the choices otherwise.
    """
    offices = Office.objects.order_by("pk")
    if office_ref:
        ref = office_ref.strip()
        found = (
            offices.filter(pk=int(ref))
            if ref.isascii() and ref.isdigit()
            else offices.filter(name__iexact=ref)
        )
        office = found.first()
        if office is None:
            raise ApplicationError(f"No office {office_ref!r}. Offices: {_office_choices()}")
        return office
    count = offices.count()
    if count > 1:
        raise ApplicationError(
            f"There are several offices; choose one with --office. Offices: {_office_choices()}"
        )
    return offices.first()


def _office_choices() -> str:
    return ", ".join(f"{o.pk} ({o.name})" for o in Office.objects.order_by("pk")) or "none"


@transaction.atomic
def user_make_office_admin(*, user: User, office: Office | None) -> tuple[Office, bool]:
    """Make `user` an administrator of `office` (None: a new default office). Returns (office, created)."""
    created = office is None
    if office is None:
        office = Office.objects.create(name=DEFAULT_OFFICE_NAME)
        history_record(instance=office, acting_user=None, action=ChangeLog.Action.CREATE)
    before = snapshot(User.objects.get(pk=user.pk))
    user.office = office
    user.role = Role.ADMIN
    user.save(update_fields=["office", "role"])
    history_record(instance=user, before=before, acting_user=None, action=ChangeLog.Action.UPDATE)
    return office, created


@transaction.atomic
def office_update(*, office: Office, acting_user: User | None, data: dict[str, Any]) -> Office:
    """Update the office's settings and record every changed field in its history."""
    # Read "before" from the database: a ModelForm has already copied its values onto `office`.
    before = snapshot(Office.objects.get(pk=office.pk))
    for key, value in data.items():
        setattr(office, key, value)
    office.full_clean()
    office.save()
    history_record(instance=office, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE)
    return office


@transaction.atomic
def user_update_role(*, user: User, role: str, is_active: bool, acting_user: User) -> User:
    """Change a colleague's role or deactivate them. Nobody can lock themselves out this way."""
    if user.pk == acting_user.pk and (role != user.role or not is_active):
        raise ApplicationError(_("You cannot change your own role or deactivate yourself."))
    before = snapshot(User.objects.get(pk=user.pk))
    user.role = role
    user.is_active = is_active
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "is_active"])
    if not is_active:
        # A deactivated user's API tokens stop working with them; revoke them for the record too.
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    history_record(instance=user, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE)
    return user


@transaction.atomic
def user_create(
    *,
    office: Office,
    username: str,
    password: str | None,
    role: str = Role.AGENT,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    acting_user: User | None = None,
) -> User:
    user = User(
        office=office, username=username, role=role, first_name=first_name, last_name=last_name, email=email
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    history_record(instance=user, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return user
