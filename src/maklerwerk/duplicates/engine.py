"""The duplicate engine against the database: match keys on save, candidate look-up, rebuilds.

`keys_refresh` keeps a contact's profile, blocking keys and the office's name counts current;
`check` finds candidates for contact data with indexed look-ups only (one query for the counts and
thresholds, one for the candidates) and scores them with the pure functions in `scoring`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone
from maklerwerk.duplicates import blocking
from maklerwerk.duplicates.models import DuplicateSettings, MatchKey, MatchProfile, NameFrequency
from maklerwerk.duplicates.normalize import (
    Record,
    blocking_keys,
    frequency_keys,
    record_from_data,
    record_from_row,
    translit,
)
from maklerwerk.duplicates.scoring import Frequencies, Level, PairScore, level_for, score_pair

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

TOTAL_KEY = "#"
LIMIT_PER_KEY = 100  # a key shared by more contacts than this (a very common name) is looked at partly
KEYS_PER_QUERY = 400  # SQLite: at most 500 terms per compound SELECT
DEFAULT_CERTAIN = DuplicateSettings._meta.get_field("certain_threshold").default
DEFAULT_POSSIBLE = DuplicateSettings._meta.get_field("possible_threshold").default

_PROFILE_COLUMNS = (
    "contact_id", "first", "last", "first_ph", "last_ph", "birth", "emails", "phones",
    "street", "house_number", "postal_code", "city", "company",
)  # fmt: skip


@dataclass(frozen=True)
class Match:
    contact_id: int
    result: PairScore
    level: Level


def contact_data(contact: Contact) -> dict[str, Any]:
    """The fields the engine reads, in the seam's `data` shape."""
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "birth_date": contact.birth_date,
        "street": contact.street,
        "house_number": contact.house_number,
        "postal_code": contact.postal_code,
        "city": contact.city,
        "country": contact.country,
        "emails": [e.value for e in contact.emails.all()],
        "phones": [p.value for p in contact.phones.all()],
    }


def profile_values(record: Record) -> dict[str, Any]:
    return {
        "first": record.first,
        "last": record.last,
        "first_ph": record.first_ph,
        "last_ph": record.last_ph,
        "birth": record.birth,
        "emails": " ".join(record.emails),
        "phones": " ".join(record.phones),
        "street": record.street,
        "house_number": record.house_number,
        "postal_code": record.postal_code,
        "city": record.city,
        "company": record.company,
    }


def _record_from_profile(profile: MatchProfile) -> Record:
    return record_from_row(tuple(getattr(profile, c) for c in _PROFILE_COLUMNS[1:]))


def _apply_deltas(office_id: int, deltas: Counter[str]) -> None:
    rows = [(office_id, key, n) for key, n in deltas.items() if n]
    if not rows:
        return
    table = NameFrequency._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (office_id, key, occurrences) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (office_id, key) DO UPDATE "
            f"SET occurrences = {table}.occurrences + excluded.occurrences",
            rows,
        )


@transaction.atomic
def keys_refresh(contact: Contact) -> None:
    """Bring the contact's profile, blocking keys and the office's name counts up to date."""
    record = record_from_data(contact_data(contact))
    old = MatchProfile.objects.filter(contact_id=contact.pk).first()
    deltas: Counter[str] = Counter(frequency_keys(record))
    if old is None:
        deltas[TOTAL_KEY] += 1
    else:
        deltas.subtract(frequency_keys(_record_from_profile(old)))
    MatchProfile.objects.update_or_create(
        contact_id=contact.pk, defaults={"office_id": contact.office_id, **profile_values(record)}
    )
    wanted = set(blocking_keys(record))
    existing = dict(MatchKey.objects.filter(contact_id=contact.pk).values_list("key", "pk"))
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        MatchKey.objects.filter(pk__in=stale).delete()
    MatchKey.objects.bulk_create(
        MatchKey(office_id=contact.office_id, contact_id=contact.pk, key=key)
        for key in wanted
        if key not in existing
    )
    _apply_deltas(contact.office_id, deltas)


def keys_forget(contact_id: int, office_id: int) -> None:
    """Drop a contact from the keys and counts (before it is merged away or deleted)."""
    old = MatchProfile.objects.filter(contact_id=contact_id).first()
    if old is not None:
        deltas: Counter[str] = Counter()
        deltas.subtract(frequency_keys(_record_from_profile(old)))
        deltas[TOTAL_KEY] -= 1
        _apply_deltas(office_id, deltas)
        old.delete()
    MatchKey.objects.filter(contact_id=contact_id).delete()


def _lookup_keys(record: Record) -> list[str]:
    keys = frequency_keys(record)
    # In swapped order, the first name is looked up as a surname and the other way round.
    if record.first:
        keys += [f"L:{translit(record.first)}", f"l:{record.first_ph}"]
    if record.last:
        keys += [f"F:{translit(record.last)}", f"f:{record.last_ph}"]
    return [TOTAL_KEY, *dict.fromkeys(k[:150] for k in keys)]


def office_frequencies(office_id: int, record: Record) -> tuple[Frequencies, float, float]:
    """The counts `record`'s names need, and the office's thresholds (certain, possible): one query."""
    keys = _lookup_keys(record)
    freq_table = NameFrequency._meta.db_table
    settings_table = DuplicateSettings._meta.db_table
    marks = ", ".join(["%s"] * len(keys))
    sql = (
        f"SELECT key, occurrences, CAST(NULL AS REAL), CAST(NULL AS REAL) FROM {freq_table} "  # noqa: S608
        f"WHERE office_id = %s AND key IN ({marks}) "
        f"UNION ALL SELECT '@', 0, certain_threshold, possible_threshold FROM {settings_table} "
        "WHERE office_id = %s"
    )
    counts: dict[str, int] = {}
    certain, possible = DEFAULT_CERTAIN, DEFAULT_POSSIBLE
    with connection.cursor() as cursor:
        cursor.execute(sql, [office_id, *keys, office_id])
        for key, n, c, p in cursor.fetchall():
            if key == "@":
                certain, possible = c, p
            else:
                counts[key] = n
    return Frequencies(total=max(0, counts.pop(TOTAL_KEY, 0)), counts=counts), certain, possible


# Broad keys get the batch's rules in the check too; the names' own key only when the entry has
# more than names (a place or a birth date): a name-only entry ("Eva Wagner") still finds its
# namesakes, a full one is not compared with every namesake in Germany.
CHECKED_KINDS = frozenset(blocking.BROAD) - {"n"}


def _checked_kinds(record: Record | None) -> frozenset[str]:
    if record is not None and (record.postal_code or record.city or record.street or record.birth):
        return CHECKED_KINDS | {"n"}
    return CHECKED_KINDS


def _key_limit(key: str, checked: frozenset[str] = CHECKED_KINDS) -> int:
    """Rows asked for per key: up to `LIMIT_PER_KEY` contacts; for a broad key (`checked`) one
    more than the batch's block limit, so a key too common to block on ("han:mül", a house
    number in a big PLZ) is recognised and dropped, as the batch drops it."""
    kind = key[:1]
    if kind in checked:
        return blocking.BLOCK_LIMIT.get(kind, blocking.MAX_BLOCK) + 1
    return LIMIT_PER_KEY


def candidate_profiles(
    office_id: int, keys: list[str], exclude_id: int | None = None, record: Record | None = None
) -> list[tuple[int, Record]]:
    """Contacts sharing any of `keys`, with their profiles: two queries over the (office, key)
    index, the keys first, then the profiles of the contacts kept.

    A contact found only by broad keys (a birth date, a house number, the first letters of names
    or street, ...) is kept only when such a key is not too common and, with `record` (the contact
    being checked), something else agrees (`blocking.WORTH`), as in the batch: such keys alone
    mostly bring strangers."""
    if not keys:
        return []
    checked = _checked_kinds(record)
    key_table = MatchKey._meta.db_table
    profile_table = MatchProfile._meta.db_table
    found: dict[str, list[int]] = {}
    # SQLite allows at most 500 terms in one compound SELECT (a contact with 600 e-mail addresses
    # has more keys than that): ask in batches.
    for start in range(0, len(keys), KEYS_PER_QUERY):
        batch = keys[start : start + KEYS_PER_QUERY]
        parts = [
            f"SELECT key, contact_id FROM (SELECT key, contact_id FROM {key_table} "  # noqa: S608
            f"WHERE office_id = %s AND key = %s LIMIT {_key_limit(key, checked)}) k{i}"
            for i, key in enumerate(batch)
        ]
        params: list[Any] = []
        for key in batch:
            params += [office_id, key]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for key, contact_id in cursor.fetchall():
                found.setdefault(key, []).append(contact_id)
    sure: set[int] = set()
    by_broad: dict[int, set[str]] = {}
    for key, ids in found.items():
        kind = key[:1]
        if kind not in checked:
            sure.update(ids)
        elif len(ids) < _key_limit(key, checked):  # not too common to block on
            for contact_id in ids:
                by_broad.setdefault(contact_id, set()).add(kind)
    wanted = sorted((sure | by_broad.keys()) - {exclude_id})
    columns = ", ".join(f"p.{c}" for c in _PROFILE_COLUMNS)
    out = []
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        ids = wanted[start : start + KEYS_PER_QUERY]
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {profile_table} p WHERE p.contact_id IN ({marks})", ids)  # noqa: S608
            rows = cursor.fetchall()
        for row in rows:
            contact_id, candidate = row[0], record_from_row(row[1:])
            if (
                contact_id not in sure
                and record is not None
                and not any(blocking.WORTH[kind](record, candidate) for kind in by_broad[contact_id])
            ):
                continue
            out.append((contact_id, candidate))
    return out


def check(*, office_id: int, data: dict[str, Any], exclude_id: int | None = None) -> list[Match]:
    """Ranked matches (best first) at or above the office's "possible" threshold."""
    record = record_from_data(data)
    keys = blocking_keys(record)
    if not keys:
        return []
    freq, certain, possible = office_frequencies(office_id, record)
    matches = []
    for contact_id, candidate in candidate_profiles(office_id, keys, exclude_id, record):
        result = score_pair(record, candidate, freq)
        level = level_for(result.score, certain=certain, possible=possible)
        if level:
            matches.append(Match(contact_id, result, level))
    matches.sort(key=lambda m: (-m.result.score, m.contact_id))
    return matches


def thresholds(office_id: int) -> tuple[float, float]:
    """(certain, possible) of the office, defaults when it never changed them."""
    row = (
        DuplicateSettings.objects.filter(office_id=office_id)
        .values_list("certain_threshold", "possible_threshold")
        .first()
    )
    return row or (DEFAULT_CERTAIN, DEFAULT_POSSIBLE)


# --- rebuilding everything (imports, seeded data, after a bulk change) -------------------------


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def records_for_contacts(contact_ids: Iterable[int]) -> dict[int, tuple[int, Record]]:
    """{contact id: (office id, record)} read with three queries."""

    ids = list(contact_ids)
    emails: dict[int, list[str]] = {}
    for cid, value in ContactEmail.objects.filter(contact_id__in=ids).values_list("contact_id", "value"):
        emails.setdefault(cid, []).append(value)
    phones: dict[int, list[str]] = {}
    for cid, value in ContactPhone.objects.filter(contact_id__in=ids).values_list("contact_id", "value"):
        phones.setdefault(cid, []).append(value)
    fields = (
        "pk", "office_id", "first_name", "last_name", "company_name", "birth_date", "street",
        "house_number", "postal_code", "city", "country",
    )  # fmt: skip
    out = {}
    for row in Contact.objects.filter(pk__in=ids).values(*fields):
        pk, office_id = row.pop("pk"), row.pop("office_id")
        row["emails"], row["phones"] = emails.get(pk, []), phones.get(pk, [])
        out[pk] = (office_id, record_from_data(row))
    return out


def rebuild_keys(
    *,
    office_id: int | None = None,
    only_missing: bool = False,
    chunk_size: int = 2000,
    on_progress: Callable[[int, int], Any] | None = None,
) -> int:
    """Recompute profiles and keys (all, or only for contacts without them), then the name counts.

    Returns how many contacts got new keys. Bulk: three reads and two inserts per chunk.
    """

    contacts = Contact.objects.all()
    if office_id is not None:
        contacts = contacts.filter(office_id=office_id)
    if only_missing:
        contacts = contacts.exclude(pk__in=MatchProfile.objects.values("contact_id"))
    ids = list(contacts.order_by("pk").values_list("pk", flat=True))
    done = 0
    for chunk in _chunks(ids, chunk_size):
        records = records_for_contacts(chunk)
        with transaction.atomic():
            MatchKey.objects.filter(contact_id__in=chunk).delete()
            MatchProfile.objects.filter(contact_id__in=chunk).delete()
            MatchProfile.objects.bulk_create(
                MatchProfile(contact_id=cid, office_id=oid, **profile_values(r))
                for cid, (oid, r) in records.items()
            )
            MatchKey.objects.bulk_create(
                (
                    MatchKey(office_id=oid, contact_id=cid, key=key)
                    for cid, (oid, r) in records.items()
                    for key in blocking_keys(r)
                ),
                batch_size=5000,
            )
        done += len(chunk)
        if on_progress:
            on_progress(done, len(ids))
    offices = (
        [office_id]
        if office_id is not None
        else list(MatchProfile.objects.values_list("office_id", flat=True).distinct())
    )
    for oid in offices:
        rebuild_frequencies(oid)
    return done


def frequency_counts(records: Iterable[Record]) -> Counter[str]:
    counts: Counter[str] = Counter()
    n = 0
    for record in records:
        counts.update(frequency_keys(record))
        n += 1
    counts[TOTAL_KEY] = n
    return counts


@transaction.atomic
def rebuild_frequencies(office_id: int) -> None:
    """Count names, name sounds and PLZ of the office's profiles afresh (GROUP BY in the database)."""
    from django.db.models import Count

    counts: Counter[str] = Counter()
    profiles = MatchProfile.objects.filter(office_id=office_id)
    for prefix, column in (
        ("L", "last"),
        ("l", "last_ph"),
        ("F", "first"),
        ("f", "first_ph"),
        ("P", "postal_code"),
        ("B", "birth"),
    ):
        for value, n in (
            profiles.exclude(**{column: ""}).values_list(column).annotate(n=Count("pk")).order_by()
        ):
            value = translit(value) if prefix in "LF" else value
            counts[f"{prefix}:{value}"[:150]] += n
    counts[TOTAL_KEY] = profiles.count()
    NameFrequency.objects.filter(office_id=office_id).delete()
    NameFrequency.objects.bulk_create(
        (NameFrequency(office_id=office_id, key=key, occurrences=n) for key, n in counts.items()),
        batch_size=5000,
    )
