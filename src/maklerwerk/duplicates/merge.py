"""Merging two contacts: pick each field, move every related row to the survivor, lose nothing.

Related rows are found generically: every foreign key to Contact in any installed model (including
hidden ones and the through tables of many-to-many fields) and every generic relation (the
history). Apps added later (search profiles, share links, consents, ...) are covered without
changes here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError, ConflictError, NotFoundError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.duplicates import engine
from maklerwerk.duplicates.models import DuplicatePair, MergeRecord, NotDuplicate
from maklerwerk.duplicates.normalize import normalize_phone

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact

# Never taken from the other contact: identity and bookkeeping.
_NOT_MERGED = {"id", "office", "created_at", "updated_at", "created_by", "search_vector"}


def mergeable_fields() -> list[models.Field[Any, Any]]:
    """The contact's own fields a user may pick from either side."""

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


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s.\-/,]+", text.casefold()) if t]


def _covers(full: str, short: str) -> bool:
    """True when `full` says everything `short` says and more: "Schillerstraße" covers
    "Schillerstr.", "Frankfurt am Main" covers "Frankfurt", "Frankfurt am Main" covers "Frankfurt a. M."."""
    f, s = _tokens(full), _tokens(short)
    if not s or f == s:
        return False
    if "".join(f).startswith("".join(s)):
        return True
    return len(f) >= len(s) and all(ft.startswith(st) for ft, st in zip(f, s, strict=False))


def more_complete(a: Any, b: Any) -> str | None:
    """'a' or 'b' when one value is clearly more complete (filled over empty, written out over
    abbreviated, longer over its own beginning); None when they just differ ("Katharina" and
    "Katarina": a typo cannot be told from a correction)."""
    if _empty(a) and not _empty(b):
        return "b"
    if _empty(b) and not _empty(a):
        return "a"
    if isinstance(a, str) and isinstance(b, str):
        if _covers(b, a):
            return "b"
        if _covers(a, b):
            return "a"
    return None


def default_choices(survivor: Contact, other: Contact) -> dict[str, str]:
    """For each differing field: 'a' (survivor) or 'b' (other). The more complete value wins
    (`more_complete`); otherwise the survivor's, which `survivor_suggest` makes the older record.
    Never "newer wins": a typo record created later must not overwrite the good one."""
    choices = {}
    for field in mergeable_fields():
        a, b = field.value_from_object(survivor), field.value_from_object(other)
        if a == b:
            continue
        choices[field.name] = more_complete(a, b) or "a"
    return choices


def survivor_suggest(first: Contact, second: Contact) -> tuple[Contact, Contact]:
    """(survivor, merged) as suggested: the older record stays (it is the one colleagues know and
    the history hangs on); created at the same moment, the one with the lower number."""

    def age(c: Contact) -> tuple[dt.datetime, int]:
        return (c.created_at or dt.datetime.max.replace(tzinfo=dt.UTC), c.pk)

    return (first, second) if age(first) <= age(second) else (second, first)


def contact_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) pointing at Contact, in all installed apps except this one."""

    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "duplicates":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.remote_field.model is Contact:
                found.append((model, field))
    return found


@dataclass
class Journal:
    """What a merge changed besides the survivor's own fields, in the shape `MergeRecord` keeps."""

    moved: list[dict[str, Any]] = dc_field(default_factory=list)
    generic: list[dict[str, Any]] = dc_field(default_factory=list)
    restore: list[dict[str, Any]] = dc_field(default_factory=list)
    updated: list[dict[str, Any]] = dc_field(default_factory=list)
    dropped: list[str] = dc_field(default_factory=list)

    def delete(self, objs: Any) -> None:
        """Delete rows (a queryset or a list) with their cascade, keeping every deleted row and every
        link set to NULL so an undo can put them back."""
        collector = Collector(using=router.db_for_write(_contact_model()))
        collector.collect(list(objs))
        for (fk, _value), groups in collector.field_updates.items():
            for group in groups:
                for pk, old in _pk_values(group, fk.attname):
                    self.updated.append(
                        {"model": fk.model._meta.label, "pk": pk, "field": fk.attname, "old": old}
                    )
        collector.sort()
        rows: list[dict[str, Any]] = []
        for instances in reversed(list(collector.data.values())):  # parents before children
            rows += _serialize(instances)
        for qs in collector.fast_deletes:
            rows += _serialize(qs)
        self.restore += rows
        collector.delete()


def _contact_model() -> type[models.Model]:
    """Contact, imported late: contacts imports this app's engine."""

    return Contact


def _serialize(objs: Any) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts Django's "python" deserializer reads back (with their ids). Times keep
    their microseconds (the JSON serializer would cut them), so an undone merge restores them exactly."""
    return [_jsonable(row) for row in serializers.serialize("python", list(objs))]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # Decimal, UUID


def _pk_values(group: Any, attname: str) -> list[tuple[Any, Any]]:
    if isinstance(group, models.QuerySet):
        return [(pk, old) for pk, old in group.values_list("pk", attname)]
    return [(obj.pk, getattr(obj, attname)) for obj in group]


def _move_rows(
    model: type[models.Model],
    field: models.ForeignKey[Any, Any],
    other_id: int,
    survivor_id: int,
    journal: Journal,
) -> None:
    """Repoint `field` from other to survivor; rows that would break a unique rule are already on the
    survivor (the same tag, the same role, ...) and are dropped (kept in the journal)."""
    manager = model._default_manager
    rows = manager.filter(**{field.attname: other_id})
    pks = list(rows.values_list("pk", flat=True))
    if not pks:
        return
    entry = {"model": model._meta.label, "field": field.attname, "pks": pks}
    try:
        with transaction.atomic():
            rows.update(**{field.attname: survivor_id})
        journal.moved.append(entry)
        return
    except IntegrityError:
        pass
    moved = []
    for obj in list(manager.filter(pk__in=pks)):
        try:
            with transaction.atomic():
                manager.filter(pk=obj.pk).update(**{field.attname: survivor_id})
            moved.append(obj.pk)
        except IntegrityError:
            journal.dropped.append(f"{model._meta.label}#{obj.pk}")
            journal.delete([obj])
    journal.moved.append({**entry, "pks": moved})


def _drop_self_links(model: type[models.Model], survivor_id: int, journal: Journal) -> int:
    """A model linking two contacts (relationships) may now link the survivor to itself: drop those."""
    fks = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.remote_field.model is _contact_model()
    ]
    if len(fks) < 2:
        return 0
    first, *rest = fks
    dropped = 0
    for other_fk in rest:
        qs = model._default_manager.filter(**{first.attname: survivor_id, other_fk.attname: survivor_id})
        found = list(qs)
        if found:
            dropped += len(found)
            journal.delete(found)
    return dropped


def _dedupe_channels(survivor: Contact, journal: Journal) -> None:
    """Keep every e-mail and phone once, in order (the survivor's first)."""
    seen: set[str] = set()
    for position, email in enumerate(survivor.emails.order_by("position", "pk")):
        key = (getattr(email, "value_normalized", "") or email.value).strip().lower()
        if key in seen:
            journal.delete([email])
            continue
        seen.add(key)
        if email.position != position:
            _set_position(email, position, journal)
    seen = set()
    for position, phone in enumerate(survivor.phones.order_by("position", "pk")):
        key = normalize_phone(phone.value) or phone.value
        if key in seen:
            journal.delete([phone])
            continue
        seen.add(key)
        if phone.position != position:
            _set_position(phone, position, journal)


def _set_position(row: models.Model, position: int, journal: Journal) -> None:
    old = row.position  # type: ignore[attr-defined]  # only ordered rows (e-mails, phones) come here
    journal.updated.append({"model": row._meta.label, "pk": row.pk, "field": "position", "old": old})
    type(row)._default_manager.filter(pk=row.pk).update(position=position)


def _channels(contact: Contact) -> dict[str, list[str]]:
    return {
        "emails": [e.value for e in contact.emails.all()],
        "phones": [p.value for p in contact.phones.all()],
    }


def _lock(office: Office, ids: list[int]) -> dict[int, Contact]:

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


# How long a merge can be undone. Long enough to notice a wrong merge in daily work (a call to the
# wrong person, the next mailing); short enough that the contacts have not drifted far apart.
UNDO_DAYS = 30


def _merge_plan(survivor: Contact, other: Contact, choices: Mapping[str, str] | None) -> dict[str, str]:
    fields = {f.name for f in mergeable_fields()}
    unknown = set(choices or {}) - fields
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            extra={"field": "choices"},
        )
    bad = {k for k, v in (choices or {}).items() if v not in {"a", "b"}}
    if bad:
        raise ApplicationError(_("Choose 'a' or 'b' for each field."), extra={"field": "choices"})
    return {**default_choices(survivor, other), **(choices or {})}


@transaction.atomic
def contacts_merge(
    *,
    office: Office,
    survivor_id: int,
    other_id: int,
    acting_user: User | None,
    choices: Mapping[str, str] | None = None,
) -> Contact:
    """Merge contact `other_id` into `survivor_id`; the other contact is deleted.

    `choices` maps field names to "a" (keep the survivor's value) or "b" (take the other's); fields
    not named follow `default_choices`. Every related row moves to the survivor, e-mails and phones
    are kept once each, and the history records the old values of both. A `MergeRecord` keeps
    everything needed to undo it (`merge_undo`). Merging a contact into itself, across offices or
    with a contact that is gone is refused.
    """
    return contacts_merge_recorded(
        office=office, survivor_id=survivor_id, other_id=other_id, acting_user=acting_user, choices=choices
    )[0]


@transaction.atomic
def contacts_merge_recorded(
    *,
    office: Office,
    survivor_id: int,
    other_id: int,
    acting_user: User | None,
    choices: Mapping[str, str] | None = None,
) -> tuple[Contact, MergeRecord]:
    """`contacts_merge`, returning the survivor and the record an undo needs."""
    if survivor_id == other_id:
        raise ApplicationError(_("A contact cannot be merged with itself."))
    locked = _lock(office, [survivor_id, other_id])
    survivor, other = locked[survivor_id], locked[other_id]
    fields = {f.name: f for f in mergeable_fields()}
    picked = _merge_plan(survivor, other, choices)
    merge_records_purge(office=office)

    before_survivor = snapshot(survivor, extra=_channels(survivor))
    before_other = snapshot(other, extra=_channels(other))
    survivor_row = _serialize([survivor])[0]
    field_changes = []
    for name, side in picked.items():
        field = fields[name]
        a, b = field.value_from_object(survivor), field.value_from_object(other)
        kept, dropped_value = (b, a) if side == "b" else (a, b)
        field_changes.append(
            {"field": name, "kept": _plain_value(kept), "dropped": _plain_value(dropped_value)}
        )
        if side == "b":
            setattr(survivor, field.attname, getattr(other, field.attname))

    journal = Journal()
    relations = contact_relations()
    for model, field in relations:
        _move_rows(model, field, other.pk, survivor.pk, journal)
    self_links = sum(_drop_self_links(m, survivor.pk, journal) for m in {m for m, _f in relations})
    contact_type = ContentType.objects.get_for_model(type(survivor))
    for model in apps.get_models():
        for gfk in model._meta.private_fields:
            if isinstance(gfk, GenericForeignKey):
                rows = model._default_manager.filter(
                    **{gfk.ct_field: contact_type, gfk.fk_field: str(other.pk)}
                )
                pks = list(rows.values_list("pk", flat=True))
                if pks:
                    rows.update(**{gfk.fk_field: str(survivor.pk)})
                    journal.generic.append(
                        {
                            "model": model._meta.label,
                            "ct_field": gfk.ct_field,
                            "fk_field": gfk.fk_field,
                            "pks": pks,
                        }
                    )
    _dedupe_channels(survivor, journal)

    survivor.update_keys()
    survivor.full_clean(validate_unique=False)
    survivor.save()
    engine.keys_forget(other.pk, office.pk)
    merged_row = _serialize([other])[0]
    other_label = str(other)[:300]
    journal.delete(
        DuplicatePair.objects.filter(models.Q(contact_a_id=other.pk) | models.Q(contact_b_id=other.pk))
    )
    journal.delete(
        NotDuplicate.objects.filter(models.Q(contact_a_id=other.pk) | models.Q(contact_b_id=other.pk))
    )
    journal.delete([other])  # nothing points at it any more; the cascade is kept all the same
    restore = [r for r in journal.restore if not (r["model"] == merged_row["model"] and r["pk"] == other_id)]
    record = MergeRecord.objects.create(
        office=office,
        survivor_contact_id=survivor.pk,
        survivor_label=str(survivor)[:300],
        merged_contact_id=other_id,
        merged_label=other_label,
        merged_by=acting_user,
        survivor_before=survivor_row,
        survivor_updated_at=survivor.updated_at,
        merged_contact=merged_row,
        restore=restore,
        moved=[m for m in journal.moved if m["pks"]],
        generic=journal.generic,
        updated=journal.updated,
        field_changes=field_changes,
    )
    note = _("Merged contact #%(id)s (%(name)s) into this one.") % {"id": other_id, "name": other_label}
    history_record(
        instance=survivor,
        acting_user=acting_user,
        action="merge",
        before={**before_survivor, "merged_contact": None},
        after={
            **snapshot(survivor, extra=_channels(survivor)),
            "merged_contact": {
                "id": other_id,
                # The Historie tab links the entry to the merge (what it did, undo).
                "merge_record": record.pk,
                **before_other,
                "dropped_rows": journal.dropped,
                "self_links": self_links,
            },
        },
        note=note[:300],
    )
    engine.keys_refresh(survivor)
    return survivor, record


def _plain_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def undo_deadline(record: MergeRecord) -> dt.datetime:
    return record.merged_at + dt.timedelta(days=UNDO_DAYS)


def undo_refusal(record: MergeRecord, survivor: Contact | None = None) -> str | None:
    """Why this merge cannot be undone now (German, for the agent), or None when it can.

    Unsafe: already undone, too old, the survivor is gone or was merged again, the survivor was
    edited after the merge (undoing would overwrite that edit), the old number is taken."""

    if record.undone_at is not None:
        return _("This merge was already undone.")
    if timezone.now() > undo_deadline(record):
        return ngettext(
            "A merge can only be undone within %(days)d day; this one is older.",
            "A merge can only be undone within %(days)d days; this one is older.",
            UNDO_DAYS,
        ) % {"days": UNDO_DAYS}
    if record.purged:
        return _("The data needed to undo this merge has been deleted.")
    survivor = survivor or Contact.objects.filter(pk=record.survivor_contact_id).first()
    if survivor is None:
        return _("The remaining contact no longer exists (deleted or merged into another contact).")
    later = MergeRecord.objects.filter(
        survivor_contact_id=survivor.pk, undone_at__isnull=True, pk__gt=record.pk
    ).first()
    if later is not None:
        return _("Afterwards %(name)s was merged into this contact as well. Undo that merge first.") % {
            "name": later.merged_label
        }
    if record.survivor_updated_at and survivor.updated_at != record.survivor_updated_at:
        return _(
            "%(name)s was edited after the merge (%(when)s). Undoing the merge would overwrite that "
            "change, so it is no longer possible."
        ) % {
            "name": survivor.display_name,
            "when": formats.date_format(timezone.localtime(survivor.updated_at), "SHORT_DATETIME_FORMAT"),
        }
    if Contact.objects.filter(pk=record.merged_contact_id).exists():
        return _("Contact #%(id)s exists again; the merge cannot be undone.") % {
            "id": record.merged_contact_id
        }
    return None


def _deserialize(rows: list[dict[str, Any]]) -> list[Any]:
    return list(serializers.deserialize("python", rows, ignorenonexistent=True))


@transaction.atomic
def merge_undo(*, office: Office, record_id: int, acting_user: User | None) -> MergeRecord:
    """Put both contacts back as they were before the merge: the merged contact with its id, every
    row moved to the survivor (foreign keys, many-to-many links, generic relations such as its
    history) back to it, every row the merge deleted back in place, the survivor's own values back.
    Rows added to the survivor after the merge stay with it. Refused (ConflictError, German reason)
    when `undo_refusal` finds it unsafe."""

    record = MergeRecord.objects.select_for_update().filter(office=office, pk=record_id).first()
    if record is None:
        raise NotFoundError(_("This merge was not found."))
    survivor = (
        Contact.objects.select_for_update().filter(pk=record.survivor_contact_id, office=office).first()
    )
    reason = undo_refusal(record, survivor)
    if reason:
        raise ConflictError(reason)
    assert survivor is not None
    other_id, survivor_id = record.merged_contact_id, survivor.pk
    after_merge = snapshot(survivor, extra=_channels(survivor))

    # The merged contact first (with its old id), so the rows below can point at it again; the rows
    # the merge deleted before the moved ones go back (a deleted link may have been moved first).
    for obj in _deserialize([record.merged_contact]):
        obj.save()
    for obj in _deserialize(record.restore):
        if not type(obj.object)._default_manager.filter(pk=obj.object.pk).exists():
            obj.save()
    for entry in record.moved:
        model = apps.get_model(entry["model"])
        model._default_manager.filter(pk__in=entry["pks"], **{entry["field"]: survivor_id}).update(
            **{entry["field"]: other_id}
        )
    contact_type = ContentType.objects.get_for_model(Contact)
    for entry in record.generic:
        model = apps.get_model(entry["model"])
        model._default_manager.filter(
            pk__in=entry["pks"], **{entry["ct_field"]: contact_type, entry["fk_field"]: str(survivor_id)}
        ).update(**{entry["fk_field"]: str(other_id)})
    for entry in record.updated:
        model = apps.get_model(entry["model"])
        model._default_manager.filter(pk=entry["pk"]).update(**{entry["field"]: entry["old"]})

    before = _deserialize([record.survivor_before])[0].object
    keep = {"id", "office", "created_at", "created_by", "updated_at", "last_activity_at"}
    for f in Contact._meta.concrete_fields:
        if f.name not in keep:
            setattr(survivor, f.attname, getattr(before, f.attname))
    if not survivor.last_activity_at or survivor.last_activity_at <= record.merged_at:
        survivor.last_activity_at = before.last_activity_at  # an activity logged since stays the latest
    survivor.save()
    # Back to its time stamp before the merge, so an earlier merge into it can be undone next.
    Contact.objects.filter(pk=survivor_id).update(updated_at=before.updated_at)
    survivor.updated_at = before.updated_at
    other = Contact.objects.get(pk=other_id)
    engine.keys_refresh(survivor)
    engine.keys_refresh(other)

    note = _("Merge with #%(id)s (%(name)s) undone.") % {"id": other_id, "name": record.merged_label}
    history_record(
        instance=survivor,
        acting_user=acting_user,
        action="update",
        before={**after_merge, "merged_contact": record.merged_label},
        after={**snapshot(survivor, extra=_channels(survivor)), "merged_contact": None},
        note=note,
    )
    history_record(
        instance=other,
        acting_user=acting_user,
        action="update",
        before={"merged_into": f"#{survivor_id} {survivor}"},
        after={"merged_into": None},
        note=_("Restored: the merge into #%(id)s (%(name)s) was undone.")
        % {"id": survivor_id, "name": str(survivor)},
    )
    record.undone_at = timezone.now()
    record.undone_by = acting_user
    record.save(update_fields=["undone_at", "undone_by"])
    _purge(MergeRecord.objects.filter(pk=record.pk))
    return record


def _purge(records: models.QuerySet[MergeRecord]) -> None:
    """Clear the personal data an undo would need (the deleted contact, the deleted rows)."""
    records.filter(purged=False).update(
        purged=True, survivor_before={}, merged_contact={}, restore=[], moved=[], generic=[], updated=[]
    )


def merge_records_purge(*, office: Office) -> None:
    """Forget what merges older than UNDO_DAYS would need to be undone (data economy)."""
    _purge(
        MergeRecord.objects.filter(office=office, merged_at__lt=timezone.now() - dt.timedelta(days=UNDO_DAYS))
    )
