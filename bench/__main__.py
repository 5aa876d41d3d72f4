"""`python -m bench [NAME ...]`: run the benchmarks (all, or those named) and update docs/BENCHMARKS.md.

Each `bench/bench_<name>.py` has `TITLE` and `run(args) -> str` (a Markdown section body). Sections
in docs/BENCHMARKS.md sit between `<!-- bench:<name> -->` markers, so running one benchmark
replaces only its own section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
HEADER = """# Benchmarks

Written by `make bench` (all) or `.venv/bin/python -m bench NAME` (one); never edited by hand.
Machines are shared and noisy: each section compares side by side within one run and reports
ratios; absolute numbers are for orientation only.
"""


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(available())}"
    )
    parser.add_argument("--quick", action="store_true", help="smaller data sizes, for trying things out")
    parser.add_argument(
        "--section",
        action="append",
        metavar="PART",
        help="only this part of a benchmark that has parts (repeatable; see the benchmark's PARTS)",
    )
    args = parser.parse_args()
    names = args.names or available()
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}: {module.TITLE}", flush=True)
        started = time.monotonic()
        body = module.run(args)
        took = time.monotonic() - started
        cmd = f".venv/bin/python -m bench {name}" + (" --quick" if args.quick else "")
        cmd += "".join(f" --section {part}" for part in args.section or [])
        section = (
            f"<!-- bench:{name} -->\n## {module.TITLE}\n\n"
            f"Command: `{cmd}` · run {dt.datetime.now(dt.UTC).date().isoformat()} · took {took:.0f} s · "
            f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}\n\n"
            f"{body.strip()}\n<!-- /bench:{name} -->"
        )
        # Re-read: another benchmark may have written its section while this one ran.
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
        pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)

        def replacement(_m: re.Match[str], s: str = section) -> str:
            return s

        text = (
            pattern.sub(replacement, text)
            if pattern.search(text)
            else text.rstrip() + "\n\n" + section + "\n"
        )
        DOC.write_text(text, encoding="utf-8")
        print(body, flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
