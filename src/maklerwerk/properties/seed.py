"""Demo data: properties with photos drawn by Pillow (no downloads), documents and contact roles for the
demo contacts (their search profiles: matching.seed), so match lists are full on first start.

The first 20 properties are rich demo objects in the Rhein-Main area (through the services, with
images and history); beyond that (`--properties 100000`) rows are bulk-inserted across synthetic
places all over Germany, for the matching benchmark. Seeders top up to the requested counts.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from maklerwerk.contacts.models import Contact
from maklerwerk.core.seeding import SeedContext, bulk_create_chunked
from maklerwerk.properties import services
from maklerwerk.properties.choices import Feature, energy_class_for
from maklerwerk.properties.models import Property, PropertyContact, PropertyDocument, PropertyImage
from maklerwerk.properties.places import place_coordinates

RICH = 20
# (city, district, postal codes, latitude, longitude)
RHEIN_MAIN = [
    ("Frankfurt am Main", "Nordend", ["60316", "60318"], 50.1260, 8.6940),
    ("Frankfurt am Main", "Sachsenhausen", ["60594", "60596", "60598"], 50.1000, 8.6850),
    ("Frankfurt am Main", "Bornheim", ["60385", "60389"], 50.1290, 8.7110),
    ("Frankfurt am Main", "Westend", ["60322", "60323", "60325"], 50.1200, 8.6600),
    ("Offenbach am Main", "", ["63065", "63067", "63069"], 50.0956, 8.7761),
    ("Bad Homburg vor der Höhe", "", ["61348", "61350", "61352"], 50.2268, 8.6182),
    ("Darmstadt", "", ["64283", "64285", "64287"], 49.8728, 8.6512),
    ("Wiesbaden", "", ["65183", "65185", "65187"], 50.0782, 8.2398),
    ("Hanau", "", ["63450", "63452", "63454"], 50.1329, 8.9170),
    ("Oberursel (Taunus)", "", ["61440"], 50.2019, 8.5769),
]
STREETS = [
    "Berger Straße",
    "Schweizer Straße",
    "Oeder Weg",
    "Kaiserstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Lindenallee",
    "Am Park",
    "Schillerstraße",
    "Goethestraße",
]
KINDS = (
    ["wohnung"] * 8
    + ["haus"] * 6
    + ["grundstueck"] * 2
    + ["buero_praxen"] * 2
    + ["einzelhandel", "zinshaus_renditeobjekt"]
)
TITLES = {
    "wohnung": [
        "Helle {r}-Zimmer-Wohnung in {d}",
        "Altbauwohnung mit Balkon in {d}",
        "Moderne {r}-Zimmer-Wohnung nahe {d}",
    ],
    "haus": [
        "Einfamilienhaus mit Garten in {c}",
        "Doppelhaushälfte in ruhiger Lage, {c}",
        "Reihenhaus für Familien in {c}",
    ],
    "grundstueck": ["Baugrundstück in {c}", "Sonniges Grundstück am Ortsrand von {c}"],
    "buero_praxen": ["Büroetage in {c}", "Praxisräume in zentraler Lage, {c}"],
    "einzelhandel": ["Ladenlokal in 1a-Lage, {c}"],
    "zinshaus_renditeobjekt": ["Mehrfamilienhaus als Kapitalanlage, {c}"],
}
SUBTYPES = {
    "wohnung": ["ETAGE", "DACHGESCHOSS", "MAISONETTE", "ERDGESCHOSS"],
    "haus": ["EINFAMILIENHAUS", "DOPPELHAUSHAELFTE", "REIHENHAUS"],
}
FEATURES = Feature.values
# Living/usable area in m² by kind or subtype, plot area by kind or subtype.
AREA_RANGES = {
    "wohnung": (38, 140),
    "ERDGESCHOSS": (45, 120),
    "MAISONETTE": (70, 160),
    "haus": (110, 240),
    "REIHENHAUS": (95, 150),
    "DOPPELHAUSHAELFTE": (110, 170),
    "EINFAMILIENHAUS": (130, 240),
    "buero_praxen": (80, 600),
    "einzelhandel": (40, 300),
    "zinshaus_renditeobjekt": (400, 1200),
}
PLOT_RANGES = {
    "REIHENHAUS": (140, 300),
    "DOPPELHAUSHAELFTE": (250, 500),
    "EINFAMILIENHAUS": (400, 1100),
    "grundstueck": (350, 1200),
    "zinshaus_renditeobjekt": (500, 1500),
}


PALETTE = [(214, 93, 14), (32, 107, 196), (47, 179, 68), (174, 62, 201), (247, 103, 7), (102, 102, 102)]


def _photo(rng: random.Random, title: str, kind: str) -> bytes:
    """A simple drawn picture: sky, lawn, a building with windows (or a floor plan)."""
    w, h = 960, 640
    img = Image.new("RGB", (w, h), (235, 242, 250))
    d = ImageDraw.Draw(img)
    if kind == PropertyImage.Kind.FLOOR_PLAN:
        img.paste((255, 255, 255), (0, 0, w, h))
        d.rectangle((80, 80, w - 80, h - 80), outline=(30, 30, 30), width=8)
        d.line((w // 2, 80, w // 2, h - 200), fill=(30, 30, 30), width=6)
        d.line((80, h // 2, w // 2, h // 2), fill=(30, 30, 30), width=6)
        d.line((w // 2 + 120, h - 200, w - 80, h - 200), fill=(30, 30, 30), width=6)
        d.text((120, 110), "Wohnen", fill=(60, 60, 60))
        d.text((w // 2 + 40, 110), "Küche", fill=(60, 60, 60))
        d.text((120, h // 2 + 30), "Schlafen", fill=(60, 60, 60))
        d.text((w // 2 + 40, h - 170), "Bad", fill=(60, 60, 60))
        return _jpeg(img)
    for y in range(h // 2):  # sky gradient
        shade = 200 + int(55 * y / (h / 2))
        d.line((0, y, w, y), fill=(110, 160, shade))
    d.rectangle((0, int(h * 0.72), w, h), fill=(96, 160, 80))
    colour = rng.choice(PALETTE)
    left, right = rng.randint(160, 280), w - rng.randint(160, 280)
    top = rng.randint(200, 280)
    d.rectangle((left, top, right, int(h * 0.78)), fill=colour)
    d.polygon(
        [(left - 30, top), ((left + right) // 2, top - rng.randint(90, 150)), (right + 30, top)],
        fill=(120, 40, 30),
    )
    for row in range(2):
        for col in range(4):
            x = left + 30 + col * (right - left - 60) // 4
            y = top + 30 + row * 110
            d.rectangle((x, y, x + 60, y + 70), fill=(230, 240, 255), outline=(60, 60, 60), width=3)
    d.rectangle(
        ((left + right) // 2 - 35, int(h * 0.78) - 120, (left + right) // 2 + 35, int(h * 0.78)),
        fill=(90, 60, 40),
    )
    d.text((20, 20), title[:60], fill=(255, 255, 255))
    return _jpeg(img)


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _pdf(title: str) -> bytes:
    """A minimal one-page PDF with a title line (hand-written, valid enough for any viewer)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def round_money(value: float, step: int) -> Decimal:
    return Decimal(int(round(value / step) * step))


def _property_values(rng: random.Random, kind: str, place: tuple[Any, ...], *, rich: bool) -> dict[str, Any]:
    city, district, codes, lat, lon = place
    marketing = (
        "kauf"
        if kind in {"haus", "grundstueck", "zinshaus_renditeobjekt"} or rng.random() < 0.6
        else "miete_pacht"
    )
    subtype = rng.choice(SUBTYPES.get(kind, [""]))
    # Sizes as they occur (an Einfamilienhaus is not 50 m², a shop has no rooms).
    area_range = AREA_RANGES.get(subtype) or AREA_RANGES.get(kind)
    area = Decimal(rng.randint(*area_range)) if area_range else None
    rooms = (
        None
        if area is None or kind in {"einzelhandel", "buero_praxen", "zinshaus_renditeobjekt"}
        else Decimal(max(1, min(9, round(float(area) / 28 * 2) / 2)))
    )
    plot_range = PLOT_RANGES.get(subtype) or PLOT_RANGES.get(kind)
    plot = Decimal(rng.randint(*plot_range)) if plot_range else None
    base_area = float(area or plot or 100)
    values: dict[str, Any] = {
        "object_kind": kind,
        "object_subtype": subtype,
        "marketing_type": marketing,
        "usage": "gewerbe"
        if kind in {"buero_praxen", "einzelhandel"}
        else "anlage"
        if kind == "zinshaus_renditeobjekt"
        else "wohnen",
        "status": "active"
        if rich or rng.random() < 0.7
        else rng.choice(["preparation", "reserved", "closed", "withdrawn"]),
        "street": rng.choice(STREETS),
        "house_number": str(rng.randint(1, 180)),
        "postal_code": rng.choice(codes),
        "city": city,
        "district": district,
        "living_area": area,
        "plot_area": plot,
        "rooms": rooms,
        "year_built": rng.randint(1900, 2024) if kind != "grundstueck" else None,
        "features": sorted(rng.sample(FEATURES[:10], rng.randint(1, 5))) if kind != "grundstueck" else [],
    }
    # The demo's real places get their coordinates as a typed address would (postcode area); the
    # benchmark's invented places keep theirs, scattered around the invented centre.
    derived = place in RHEIN_MAIN and place_coordinates(
        city=city, district=district, postal_code=values["postal_code"]
    )
    values["latitude"], values["longitude"] = derived or (
        Decimal(str(round(lat + rng.uniform(-0.03, 0.03), 6))),
        Decimal(str(round(lon + rng.uniform(-0.04, 0.04), 6))),
    )
    if kind != "grundstueck":
        # Newer buildings need less energy; the class follows from the value (GEG bands).
        year = values["year_built"]
        typical = 230 if year < 1977 else 160 if year < 1995 else 110 if year < 2010 else 55
        energy_value = max(20, int(rng.gauss(typical, typical * 0.2)))
        values.update(
            energy_class=energy_class_for(Decimal(energy_value)),
            energy_value=Decimal(energy_value),
            energy_certificate_type=rng.choice(["bedarf", "verbrauch"]),
            energy_carrier=rng.choice(
                ["gas", "fern", "luftwp", "oel"] if year < 2010 else ["luftwp", "fern"]
            ),
        )
    if marketing == "kauf":
        per_m2 = rng.uniform(2800, 7500) if kind != "grundstueck" else rng.uniform(350, 900)
        values["purchase_price"] = round_money(base_area * per_m2, 5000)
        values["buyer_commission_text"] = "3,57 % inkl. MwSt."
        values["buyer_commission_percent"] = Decimal("3.57")
    else:
        cold = round_money(base_area * rng.uniform(9.5, 21), 10)
        values.update(
            cold_rent=cold,
            service_charges=round_money(base_area * 3, 10),
            warm_rent=cold + round_money(base_area * 3, 10),
            deposit=cold * 3,
        )
    if values.get("energy_carrier"):
        values["heating_type"] = {"fern": "fern", "luftwp": "fussboden"}.get(
            values["energy_carrier"], "zentral"
        )
    if kind != "grundstueck":
        values["vacancy"] = "nach_vereinbarung" if marketing == "kauf" else "sofort"
    if kind == "wohnung" and marketing == "kauf" and area is not None:
        values["hausgeld"] = round_money(float(area) * 3.2, 5)
    return values


def demo_contacts(ctx: SeedContext, minimum: int) -> list[int]:

    ids = list(Contact.objects.filter(office=ctx.office).order_by("pk").values_list("pk", flat=True)[:5000])
    if len(ids) >= minimum:
        return ids
    names = [
        ("Lena", "Hoffmann"),
        ("Jonas", "Becker"),
        ("Sophie", "Wagner"),
        ("Paul", "Schäfer"),
        ("Marie", "Koch"),
        ("Felix", "Richter"),
        ("Hannah", "Klein"),
        ("Lukas", "Wolf"),
        ("Emma", "Neumann"),
        ("Ben", "Schwarz"),
    ]
    for first, last in names[: minimum - len(ids)]:
        ids.append(
            Contact.objects.create(
                office=ctx.office, first_name=first, last_name=last, city="Frankfurt am Main"
            ).pk
        )
    return ids


def _rich_properties(ctx: SeedContext, count: int, start: int) -> None:

    rng = ctx.rng
    contacts = demo_contacts(ctx, 10)
    for i in range(count):
        n = start + i
        kind = KINDS[n % len(KINDS)]
        place = RHEIN_MAIN[n % len(RHEIN_MAIN)]
        values = _property_values(rng, kind, place, rich=True)
        title = rng.choice(TITLES[kind]).format(
            r=str(values["rooms"] or "").replace(".0", "").replace(".5", ",5"),
            d=place[1] or place[0],
            c=place[0],
        )
        values.update(
            external_id=f"MW-{n + 1:04d}",
            title=title,
            description=f"{title}. Ein Demo-Objekt von Maklerwerk.",
        )
        prop = services.property_create(office=ctx.office, acting_user=ctx.agent, data=values)
        photos = [
            SimpleUploadedFile(f"foto-{j + 1}.jpg", _photo(rng, title, PropertyImage.Kind.PHOTO))
            for j in range(2)
        ]
        services.property_images_add(
            prop=prop, acting_user=ctx.agent, files=photos, captions=["Außenansicht", "Ansicht"]
        )
        if kind in {"wohnung", "haus"}:
            plan = SimpleUploadedFile("grundriss.jpg", _photo(rng, title, PropertyImage.Kind.FLOOR_PLAN))
            services.property_images_add(
                prop=prop,
                acting_user=ctx.agent,
                files=[plan],
                kind=PropertyImage.Kind.FLOOR_PLAN,
                captions=["Grundriss"],
            )
            services.property_document_add(
                prop=prop,
                acting_user=ctx.agent,
                file=SimpleUploadedFile("energieausweis.pdf", _pdf(f"Energieausweis {title}")),
                kind=PropertyDocument.Kind.ENERGY_CERTIFICATE,
                title="Energieausweis",
                protected=False,
            )
        services.property_document_add(
            prop=prop,
            acting_user=ctx.agent,
            file=SimpleUploadedFile("grundbuchauszug.pdf", _pdf(f"Grundbuchauszug {prop.external_id}")),
            kind=PropertyDocument.Kind.LAND_REGISTER,
            title="Grundbuchauszug",
            protected=True,
        )

        owner = Contact.objects.get(pk=contacts[n % len(contacts)])
        services.property_contact_set(
            prop=prop, contact=owner, acting_user=ctx.agent, role=PropertyContact.Role.OWNER
        )
        prospect = Contact.objects.get(pk=contacts[(n + 3) % len(contacts)])
        status = rng.choice(PropertyContact.InterestStatus.values)
        services.property_contact_set(
            prop=prop,
            contact=prospect,
            acting_user=ctx.agent,
            role=PropertyContact.Role.PROSPECT,
            interest_status=status,
        )


def _places(rng: random.Random, n: int = 2000) -> list[tuple[Any, ...]]:
    """Synthetic places across Germany for benchmark data: name, 5 postal codes, centre."""
    from faker import Faker

    fake = Faker("de_DE")
    fake.seed_instance(rng.randint(0, 10**6))
    seen: set[str] = set()
    places = []
    for i in range(n):
        name = fake.city()
        if name in seen:
            name = f"{name} {i}"
        seen.add(name)
        codes = [f"{10000 + i * 5 + j:05d}" for j in range(5)]
        places.append((name, "", codes, rng.uniform(_MAP_SOUTH, 54.7), rng.uniform(_MAP_WEST, 14.8)))
    return places


# The synthetic map's south-west corner (Germany's box).
_MAP_SOUTH, _MAP_WEST = 47.6, 6.1


@functools.cache
def _region_places(region: int, regions: bool, map_places: int = 0) -> list[tuple[Any, ...]]:
    """The places of benchmark region `region`: the same 2,000 places, moved east by 9 degrees per
    region (Germany is 8.7 degrees wide), with their own names and postal codes. With regions, data
    grows like a bigger office's: more area at the same density, so each search finds as much.

    `map_places` (below 2,000): a smaller map at the same density of places, the first so many
    places pulled towards the map's south-west corner so that its area shrinks in proportion; a
    tenth of the data on a tenth of the map finds as much per search as the whole on the whole."""
    places = _places(random.Random(7))
    if 0 < map_places < len(places):
        shrink = (map_places / len(places)) ** 0.5
        places = [
            (
                name,
                district,
                codes,
                _MAP_SOUTH + (lat - _MAP_SOUTH) * shrink,
                _MAP_WEST + (lon - _MAP_WEST) * shrink,
            )
            for name, district, codes, lat, lon in places[:map_places]
        ]
    if not regions:
        return places
    return [
        (
            f"{name} ({region + 1})" if region else name,
            district,
            [f"{((region * len(places) + i) * 5 + j) % 100_000:05d}" for j in range(5)],
            lat,
            lon + 9.0 * region,
        )
        for i, (name, district, _codes, lat, lon) in enumerate(places)
    ]


def place_for(ctx: SeedContext, n: int) -> tuple[Any, ...]:
    size = ctx.options.get("region_size") or 0
    places = _region_places(n // size if size else 0, bool(size), ctx.options.get("map_places") or 0)
    return ctx.rng.choice(places)


def _bulk_properties(ctx: SeedContext, count: int, start: int) -> None:
    rng = ctx.rng
    bar = ctx.progress("Immobilien", count)
    kinds = ["wohnung"] * 6 + ["haus"] * 3 + ["grundstueck", "buero_praxen", "einzelhandel"]

    def build() -> Iterator[Property]:
        for i in range(count):
            kind = rng.choice(kinds)
            place = place_for(ctx, start + i)
            values = _property_values(rng, kind, place, rich=False)
            prop = Property(
                office=ctx.office,
                external_id=f"B-{start + i + 1:07d}",
                title=f"{kind.title()} in {place[0]}",
                responsible_agent=ctx.agent,
                **values,
            )
            prop.refresh_match_fields()
            yield prop

    bulk_create_chunked(Property, build(), on_batch=lambda n: bar.update(n) if bar else None)
    analyze_table("properties_property")


def analyze_table(table: str) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum would get there later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def seed_properties(ctx: SeedContext) -> None:
    wanted = ctx.options.get("properties", RICH)
    existing = Property.objects.filter(office=ctx.office).count()
    missing = max(0, wanted - existing)
    if not missing:
        return
    rich = max(0, min(RICH, wanted) - existing)
    if rich:
        _rich_properties(ctx, rich, existing)
    if missing - rich:
        _bulk_properties(ctx, missing - rich, existing + rich)
    ctx.log(f"{missing} Immobilien angelegt")
