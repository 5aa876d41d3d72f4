"""Demo contacts: realistic German people and companies (Faker de_DE), with relationships and activities.

`seed_demo --contacts N` tops up to N contacts with bulk inserts; name/street/city pools are drawn
from Faker once, so 100,000 contacts take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone
from faker import Faker

from maklerwerk.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    ContactTag,
    Relationship,
    Role,
    Tag,
)
from maklerwerk.contacts.normalize import search_key
from maklerwerk.contacts.services import contact_create
from maklerwerk.core.models import Activity
from maklerwerk.core.seeding import SeedContext

BATCH = 5000


def _insert(objs: list[Any]) -> None:
    """Plain INSERT ... executemany: bulk_create's per-value SQL compilation dominates at 100,000 rows."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                setattr(obj, f.attname, now)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    placeholders = ", ".join(["%s"] * len(fields))
    # Identifiers come from the model's meta (quoted); values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_contacts(office: Any, contacts: list[Contact]) -> None:
    """Insert and learn the new ids (one writer inside the seeding transaction: ids follow insert order)."""
    _insert(contacts)
    ids = list(
        Contact.objects.filter(office=office).order_by("-pk").values_list("pk", flat=True)[: len(contacts)]
    )
    for contact, pk in zip(contacts, reversed(ids), strict=True):
        contact.pk = pk


_TAGS = ["Newsletter", "VIP", "Kapitalanleger", "Erstkäufer", "Senioren", "Finanzierung geprüft"]
_LEGAL = ["gmbh", "ug", "ag", "kg", "gbr", "ek", "gmbh_co_kg"]
_ACTIVITIES = [
    (Activity.Type.CALL, "Telefonat zum Suchprofil"),
    (Activity.Type.EMAIL_SENT, "Exposé per E-Mail verschickt"),
    (Activity.Type.VIEWING, "Besichtigung vereinbart"),
    (Activity.Type.NOTE, "Finanzierungsbestätigung liegt vor"),
]
_AREA_CODES = ["69", "221", "30", "40", "89", "211", "611", "6131", "711", "341", "351", "511"]


def _pools(rng: Any) -> dict[str, list[Any]]:
    fake = Faker("de_DE")
    fake.seed_instance(rng.randint(0, 10**9))
    cities = [(fake.postcode(), fake.city()) for _ in range(400)]
    return {
        "female": [fake.first_name_female() for _ in range(300)],
        "male": [fake.first_name_male() for _ in range(300)],
        "last": [fake.last_name() for _ in range(1500)],
        "street": [fake.street_name() for _ in range(800)],
        "city": cities,
        "company": [
            fake.last_name() + " " + rng.choice(["Bau", "Immobilien", "Consulting", "Handel", "Verwaltung"])
            for _ in range(300)
        ],
        "title": ["", "", "", "", "", "", "", "", "Dr.", "Prof. Dr."],
    }


def seed_contacts(ctx: SeedContext) -> None:
    wanted = ctx.options.get("contacts", 50)
    existing = Contact.objects.filter(office=ctx.office).count()
    missing = max(0, wanted - existing)
    if not missing:
        return
    if connection.vendor == "sqlite" and missing > 50_000:
        # Nine indexes on contacts take rows in random key order: with the default 20 MB page cache
        # every insert at a million rows reads and writes index pages from disk (an hour instead of
        # minutes). The cache is memory only while this connection seeds.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -1000000")
        try:
            _seed_contacts(ctx, existing, missing)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
        return
    _seed_contacts(ctx, existing, missing)


def _seed_contacts(ctx: SeedContext, existing: int, missing: int) -> None:
    # The first seed of an office brings one typo duplicate to merge (the pair counts as two).
    pair = not existing and missing >= 10
    if pair:
        missing -= 2
    rng, office = ctx.rng, ctx.office
    pools = _pools(rng)
    tags = [Tag.objects.get_or_create(office=office, name=n)[0] for n in _TAGS]
    bar = ctx.progress("Kontakte", missing)
    now = timezone.now()
    created_ids: list[int] = []
    done = 0
    while done < missing:
        size = min(BATCH, missing - done)
        contacts = []
        seqs: list[int] = []  # the running number in each contact's demo e-mail
        for i in range(size):
            n = existing + done + i
            female = rng.random() < 0.5
            first = rng.choice(pools["female" if female else "male"])
            last = rng.choice(pools["last"])
            postcode, city = rng.choice(pools["city"])
            company = rng.choice(pools["company"]) if rng.random() < 0.25 else ""
            c = Contact(
                office=office,
                salutation="frau" if female else "herr",
                title=rng.choice(pools["title"]),
                first_name=first,
                last_name=last,
                birth_date=dt.date(rng.randint(1940, 2003), rng.randint(1, 12), rng.randint(1, 28)),
                company_name=company,
                legal_form=rng.choice(_LEGAL) if company else "",
                position=rng.choice(["Geschäftsführer/in", "Prokurist/in", "Inhaber/in"]) if company else "",
                street=rng.choice(pools["street"]),
                house_number=str(rng.randint(1, 180)) + rng.choice(["", "", "", "a", "b"]),
                postal_code=postcode,
                city=city,
                country="DE",
                source=rng.choice([s for s, _ in Contact.Source.choices]),
                responsible_agent=ctx.agent,
                created_by=ctx.agent,
                terms_confirmed=rng.random() < 0.6,
                marketing_consent=rng.random() < 0.4,
                last_activity_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 365))
                if rng.random() < 0.7
                else None,
                remarks="",
            )
            if c.terms_confirmed:
                c.terms_confirmed_on = (now - dt.timedelta(days=rng.randint(1, 700))).date()
                c.terms_confirmed_via = rng.choice(["email", "online", "in_person"])
            c.name_key = search_key(f"{last} {first}")
            c.first_name_key = search_key(first)
            c.company_key = search_key(company)
            c.city_key = search_key(city)
            seqs.append(n)
            contacts.append(c)
        _insert_contacts(office, contacts)
        emails, phones, roles, links = [], [], [], []
        for c, seq in zip(contacts, seqs, strict=True):
            local = search_key(f"{c.first_name}.{c.last_name}").replace(" ", "-")
            value = f"{local}.{seq}@example.de"
            emails.append(
                ContactEmail(contact=c, office=office, value=value, value_normalized=value, kind="private")
            )
            number = f"+49{rng.choice(_AREA_CODES)}{rng.randint(1000000, 9999999)}"
            phones.append(ContactPhone(contact=c, office=office, value=number, kind="business"))
            if rng.random() < 0.6:
                mobile = f"+491{rng.choice(['51', '60', '70', '71', '76'])}{rng.randint(1000000, 99999999)}"
                phones.append(ContactPhone(contact=c, office=office, value=mobile, kind="mobile", position=1))
            for role in rng.sample(list(Role.values), rng.choice([1, 1, 1, 2])):
                roles.append(ContactRole(office=office, contact=c, role=role))
            if rng.random() < 0.3:
                links.append(ContactTag(office=office, contact=c, tag=rng.choice(tags)))
        for rows in (emails, phones, roles, links):
            _insert(rows)
        created_ids.extend(c.pk for c in contacts[:60] if len(created_ids) < 60)
        done += size
        if bar:
            bar.update(size)
    _relate_and_log(ctx, created_ids)
    if pair:
        _typo_pair(ctx)
    ctx.log(f"{missing + (2 if pair else 0)} Kontakte angelegt")


def _typo_pair(ctx: SeedContext) -> None:
    """The issue's example: the good record, and a later copy with typos and abbreviations."""

    good = {
        "salutation": "frau",
        "first_name": "Katharina",
        "last_name": "Wellmann",
        "street": "Schillerstraße",
        "house_number": "12",
        "postal_code": "60313",
        "city": "Frankfurt am Main",
        "emails": [{"value": "katharina.wellmann@example.de"}],
        "phones": [{"value": "+49 69 12345678"}],
    }
    contact_create(office=ctx.office, acting_user=ctx.agent, data=good)
    typo = {
        **good,
        "first_name": "Katarina",
        "last_name": "Welmann",
        "street": "Schillerstr.",
        "city": "Frankfurt",
    }
    typo["emails"] = []
    contact_create(
        office=ctx.office,
        acting_user=ctx.agent,
        data=typo,
        history_note="Demo: eine Dublette mit Tippfehlern",
    )


def _relate_and_log(ctx: SeedContext, ids: list[int]) -> None:
    """A few families and business links, and activities, among the first demo contacts."""
    rng, office = ctx.rng, ctx.office
    kinds = ["spouse", "child", "business_partner", "employee", "lawyer", "tax_advisor"]
    rels = [
        Relationship(office=office, from_contact_id=ids[i], to_contact_id=ids[i + 1], kind=rng.choice(kinds))
        for i in range(0, min(len(ids) - 1, 20), 2)
    ]
    Relationship.objects.bulk_create(rels)
    now = timezone.now()
    activities = []
    for pk in ids[:40]:
        for _ in range(rng.randint(1, 3)):
            kind, subject = rng.choice(_ACTIVITIES)
            activities.append(
                Activity(
                    office=office,
                    type=kind,
                    subject=subject,
                    user=ctx.agent,
                    contact_id=pk,
                    occurred_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 60)),
                    payload={"demo": True},
                )
            )
    Activity.objects.bulk_create(activities)
    latest: dict[int, dt.datetime] = {}
    for a in activities:
        if a.contact_id is not None:  # every demo activity has one
            latest[a.contact_id] = max(latest.get(a.contact_id, a.occurred_at), a.occurred_at)
    for pk, at in latest.items():
        Contact.objects.filter(pk=pk).update(last_activity_at=at)
