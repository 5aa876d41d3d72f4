"""Demo search profiles: around the demo properties (so lists show matches, near misses and misses),
or in bulk on the synthetic map for benchmarks. Runs after the properties seeder."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from maklerwerk.contacts.models import Contact
from maklerwerk.core.seeding import SeedContext
from maklerwerk.matching import services, spatial
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property
from maklerwerk.properties.seed import (
    FEATURES,
    RHEIN_MAIN,
    RICH,
    analyze_table,
    demo_contacts,
    place_for,
    round_money,
)


def _profile_for(
    rng: random.Random, contact_id: int, place: tuple[Any, ...], office_id: int, *, expired: bool = False
) -> SearchProfile:
    city, district, codes, lat, lon = place
    kind_set = rng.choice([["wohnung"], ["haus"], ["wohnung", "haus"], ["grundstueck"], ["buero_praxen"]])
    marketing = (
        "kauf" if "haus" in kind_set or "grundstueck" in kind_set or rng.random() < 0.6 else "miete_pacht"
    )
    area_min = rng.choice([None, 40, 60, 80, 100, 120])
    if marketing == "kauf":
        price_max = Decimal(rng.choice([250, 350, 450, 600, 800, 1200]) * 1000)
    else:
        price_max = Decimal(rng.choice([700, 900, 1200, 1600, 2200, 3000]))
    profile = SearchProfile(  # type: ignore[misc]  # null=True comes in through **area
        office_id=office_id,
        contact_id=contact_id,
        name=f"{'/'.join(k.capitalize() for k in kind_set)} {city}",
        marketing_type=marketing,
        object_kinds=kind_set,
        price_max=price_max,
        living_area_min=Decimal(area_min) if area_min and "grundstueck" not in kind_set else None,
        rooms_min=Decimal(rng.choice([1, 2, 3, 4]))
        if "grundstueck" not in kind_set and rng.random() < 0.6
        else None,
        features=rng.sample(FEATURES[:8], rng.choice([0, 0, 1, 2])),
        year_built_min=rng.choice([None, None, 1960, 1990, 2010]),
        energy_class_worst=rng.choice(["", "", "", "C", "D", "E"]),
        valid_until=(timezone.localdate() - dt.timedelta(days=rng.randint(1, 60)))
        if expired
        else rng.choice([None, None, timezone.localdate() + dt.timedelta(days=rng.randint(30, 365))]),
        active=rng.random() < 0.95,
    )
    mode = rng.random()
    if mode < 0.4:
        profile.postal_codes = rng.sample(codes, min(len(codes), rng.randint(1, 4)))
    elif mode < 0.7:
        profile.cities = [district or city] if district and rng.random() < 0.5 else [city]
    else:
        profile.radius_km = Decimal(rng.choice([3, 5, 10, 15, 20, 30]))
        profile.latitude = Decimal(str(round(lat + rng.uniform(-0.02, 0.02), 6)))
        profile.longitude = Decimal(str(round(lon + rng.uniform(-0.02, 0.02), 6)))
    profile.refresh_match_fields()
    return profile


def _demo_profile_data(rng: random.Random, prop: Property) -> dict[str, Any]:
    """A profile around a demo property, so lists show matches, near misses and misses."""
    price = prop.price_display
    data: dict[str, Any] = {
        "name": f"{prop.get_object_kind_display()} {prop.city}",
        "marketing_type": prop.marketing_type,
        "object_kinds": [prop.object_kind],
        "price_max": round_money(
            float(price) * rng.choice([0.93, 1.0, 1.1, 1.25]), 1000 if prop.marketing_type == "kauf" else 10
        )
        if price
        else None,
        "living_area_min": Decimal(int(float(prop.living_area) * rng.choice([0.8, 0.9, 1.05])))
        if prop.living_area
        else None,
        "rooms_min": Decimal(max(1, int(prop.rooms) - rng.choice([0, 1]))) if prop.rooms else None,
        "features": rng.sample(list(prop.features), min(len(prop.features), rng.choice([0, 1])))
        + rng.choice([[], [], ["garten"]]),
        "valid_until": timezone.localdate() + dt.timedelta(days=rng.randint(60, 365)),
    }
    mode = rng.random()
    if mode < 0.35:
        data["postal_codes"] = [prop.postal_code]
    elif mode < 0.7:
        data["cities"] = [prop.district or prop.city]
    else:
        data.update(
            radius_km=Decimal(rng.choice([5, 10, 15])), latitude=prop.latitude, longitude=prop.longitude
        )
    return data


def seed_search_profiles(ctx: SeedContext) -> None:
    wanted = ctx.options.get("search_profiles", 30)
    existing = SearchProfile.objects.filter(office=ctx.office).count()
    missing = max(0, wanted - existing)
    if not missing:
        return
    rng = ctx.rng
    contacts = demo_contacts(ctx, 10)
    bulk = missing > 200
    demo_props = list(
        Property.objects.filter(office=ctx.office, status=Property.Status.ACTIVE).order_by("pk")[:RICH]
    )
    if not bulk and demo_props:
        for i in range(missing):
            n = existing + i
            contact = Contact.objects.get(pk=contacts[n % len(contacts)])
            data = _demo_profile_data(rng, demo_props[n % len(demo_props)])
            if n % 15 == 14:
                data["valid_until"] = timezone.localdate() - dt.timedelta(days=10)
            services.search_profile_create(contact=contact, acting_user=ctx.agent, data=data)
        ctx.log(f"{missing} Suchprofile angelegt")
        return
    bar = ctx.progress("Suchprofile", missing)
    batch: list[SearchProfile] = []

    def flush() -> None:
        created = SearchProfile.objects.bulk_create(batch)
        spatial.profile_index_sync(created)
        if bar:
            bar.update(len(batch))
        batch.clear()

    for i in range(missing):
        n = existing + i
        place = place_for(ctx, n) if bulk else RHEIN_MAIN[n % len(RHEIN_MAIN)]
        batch.append(
            _profile_for(rng, contacts[n % len(contacts)], place, ctx.office.pk, expired=(n % 15 == 14))
        )
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    analyze_table("properties_searchprofile")
    analyze_table("properties_searchprofilearea")
    ctx.log(f"{missing} Suchprofile angelegt")
