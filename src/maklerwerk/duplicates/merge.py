"""Merging two contacts: pick each field, move every related row to the survivor, lose nothing.

Related rows are found generically: every foreign key to Contact in any installed model (including
hidden ones and the through tables of many-to-many fields) and every generic relation (the
history). Apps added later (search profiles, share links, consents, ...) are covered without
changes here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.duplicates import engine
from maklerwerk.duplicates.models import DuplicatePair, NotDuplicate
from maklerwerk.duplicates.normalize import normalize_phone

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact

# Never taken from the other contact: identity and bookkeeping.
_NOT_MERGED = {"id", "office", "created_at", "updated_at", "created_by", "search_vector"}


def mergeable_fields() -> list[models.Field[Any, Any]]:
    """The contact's own fields a user may pick from either side."""
    from maklerwerk.contacts.models import Contact

    return [
        f
        for f in Contact._meta.concrete_fields
        if f.name not in _NOT_MERGED
        and f.editable
        and not f.primary_key
        and not f.name.endswith("_normalized")
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def default_choices(survivor: Contact, other: Contact) -> dict[str, str]:
    """For each differing field: 'a' (survivor) or 'b' (other). Non-empty wins; if both are filled,
    the value of the contact changed more recently."""
    other_newer = (other.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)) > (
        survivor.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    )
    choices = {}
    for field in mergeable_fields():
        a, b = field.value_from_object(survivor), field.value_from_object(other)
        if a == b:
            continue
        if _empty(b):
            choices[field.name] = "a"
        elif _empty(a):
            choices[field.name] = "b"
        else:
            choices[field.name] = "b" if other_newer else "a"
    return choices


def contact_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) pointing at Contact, in all installed apps except this one."""
    from maklerwerk.contacts.models import Contact

    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "duplicates":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.remote_field.model is Contact:
                found.append((model, field))
    return found


def _move_rows(
    model: type[models.Model], field: models.ForeignKey[Any, Any], other_id: int, survivor_id: int
) -> list[str]:
    """Repoint `field` from other to survivor; rows that would break a unique rule are already on the
    survivor (the same tag, the same role, ...) and are dropped. Returns what was dropped."""
    manager = model._default_manager
    rows = manager.filter(**{field.attname: other_id})
    if not rows.exists():
        return []
    try:
        with transaction.atomic():
            rows.update(**{field.attname: survivor_id})
        return []
    except IntegrityError:
        pass
    dropped = []
    for obj in list(rows):
        try:
            with transaction.atomic():
                manager.filter(pk=obj.pk).update(**{field.attname: survivor_id})
        except IntegrityError:
            dropped.append(f"{model._meta.label}#{obj.pk}")
            obj.delete()
    return dropped


def _drop_self_links(model: type[models.Model], survivor_id: int) -> int:
    """A model linking two contacts (relationships) may now link the survivor to itself: drop those."""
    from maklerwerk.contacts.models import Contact

    fks = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.remote_field.model is Contact
    ]
    if len(fks) < 2:
        return 0
    first, *rest = fks
    dropped = 0
    for other_fk in rest:
        qs = model._default_manager.filter(**{first.attname: survivor_id, other_fk.attname: survivor_id})
        dropped += qs.count()
        qs.delete()
    return dropped


def _dedupe_channels(survivor: Contact) -> None:
    """Keep every e-mail and phone once, in order (the survivor's first)."""
    seen: set[str] = set()
    for position, email in enumerate(survivor.emails.order_by("position", "pk")):
        key = (getattr(email, "value_normalized", "") or email.value).strip().lower()
        if key in seen:
            email.delete()
            continue
        seen.add(key)
        if email.position != position:
            type(email).objects.filter(pk=email.pk).update(position=position)
    seen = set()
    for position, phone in enumerate(survivor.phones.order_by("position", "pk")):
        key = normalize_phone(phone.value) or phone.value
        if key in seen:
            phone.delete()
            continue
        seen.add(key)
        if phone.position != position:
            type(phone).objects.filter(pk=phone.pk).update(position=position)


def _channels(contact: Contact) -> dict[str, list[str]]:
    return {
        "emails": [e.value for e in contact.emails.all()],
        "phones": [p.value for p in contact.phones.all()],
    }


def _lock(office: Office, ids: list[int]) -> dict[int, Contact]:
    from maklerwerk.contacts.models import Contact

    locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}
    for pk in ids:
        contact = locked.get(pk)
        if contact is None:
            raise NotFoundError(
                _("Contact #%(id)s no longer exists: someone deleted or merged it in the meantime.")
                % {"id": pk}
            )
        if contact.office_id != office.pk:
            raise NotFoundError(_("Contact #%(id)s was not found.") % {"id": pk})
    return locked


@transaction.atomic
def contacts_merge(
    *,
    office: Office,
    survivor_id: int,
    other_id: int,
    acting_user: User | None,
    choices: dict[str, str] | None = None,
) -> Contact:
    """Merge contact `other_id` into `survivor_id`; the other contact is deleted.

    `choices` maps field names to "a" (keep the survivor's value) or "b" (take the other's); fields
    not named follow `default_choices`. Every related row moves to the survivor, e-mails and phones
    are kept once each, and the history records the old values of both. Merging a contact into
    itself, across offices or with a contact that is gone is refused.
    """
    if survivor_id == other_id:
        raise ApplicationError(_("A contact cannot be merged with itself."))
    locked = _lock(office, [survivor_id, other_id])
    survivor, other = locked[survivor_id], locked[other_id]
    fields = {f.name: f for f in mergeable_fields()}
    unknown = set(choices or {}) - set(fields)
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            extra={"field": "choices"},
        )
    bad = {k for k, v in (choices or {}).items() if v not in {"a", "b"}}
    if bad:
        raise ApplicationError(_("Choose 'a' or 'b' for each field."), extra={"field": "choices"})

    before_survivor = snapshot(survivor, extra=_channels(survivor))
    before_other = snapshot(other, extra=_channels(other))
    picked = {**default_choices(survivor, other), **(choices or {})}
    for name, side in picked.items():
        if side == "b":
            field = fields[name]
            setattr(survivor, field.attname, getattr(other, field.attname))

    dropped: list[str] = []
    relations = contact_relations()
    for model, field in relations:
        dropped += _move_rows(model, field, other.pk, survivor.pk)
    self_links = sum(_drop_self_links(m, survivor.pk) for m in {m for m, _f in relations})
    contact_type = ContentType.objects.get_for_model(type(survivor))
    for model in apps.get_models():
        for gfk in model._meta.private_fields:
            if isinstance(gfk, GenericForeignKey):
                model._default_manager.filter(
                    **{gfk.ct_field: contact_type, gfk.fk_field: str(other.pk)}
                ).update(**{gfk.fk_field: str(survivor.pk)})
    _dedupe_channels(survivor)

    survivor.full_clean(validate_unique=False)
    survivor.save()
    note = _("Merged contact #%(id)s (%(name)s) into this one.") % {"id": other.pk, "name": str(other)}
    history_record(
        instance=survivor,
        acting_user=acting_user,
        action="merge",
        before={**before_survivor, "merged_contact": None},
        after={
            **snapshot(survivor, extra=_channels(survivor)),
            "merged_contact": {
                "id": other.pk,
                **before_other,
                "dropped_rows": dropped,
                "self_links": self_links,
            },
        },
        note=note[:300],
    )
    engine.keys_forget(other.pk, office.pk)
    DuplicatePair.objects.filter(models.Q(contact_a_id=other.pk) | models.Q(contact_b_id=other.pk)).delete()
    NotDuplicate.objects.filter(models.Q(contact_a_id=other.pk) | models.Q(contact_b_id=other.pk)).delete()
    other.delete()
    engine.keys_refresh(survivor)
    return survivor
