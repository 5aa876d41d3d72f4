#!/usr/bin/env python3
"""Fill untranslated entries of a .po file from a JSON object {msgid: msgstr} read on stdin.

Usage: python scripts/po_fill.py src/maklerwerk/locale/de/LC_MESSAGES/django.po < de.json
Prints the msgids that are still untranslated afterwards, so nothing is forgotten.
"""

from __future__ import annotations

import json
import re
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines if '"' in line)


def main() -> None:
    path = sys.argv[1]
    mapping: dict[str, str] = json.load(sys.stdin) if not sys.stdin.isatty() else {}
    with open(path, encoding="utf-8") as fh:
        blocks = fh.read().split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i_id = next(i for i, ln in enumerate(lines) if ln.startswith("msgid "))
            i_str = next(i for i, ln in enumerate(lines) if ln.startswith("msgstr"))
        except StopIteration:
            out.append(block)
            continue
        if any(ln.startswith("msgid_plural") for ln in lines):
            out.append(block)
            continue
        msgid = _unquote(lines[i_id:i_str])
        msgstr = _unquote(lines[i_str:])
        if msgid and (not msgstr or "#, fuzzy" in block):
            if msgid in mapping:
                lines = [ln for ln in lines[:i_str] if ln != "#, fuzzy"]
                lines = [re.sub(r"^#, fuzzy, ", "#, ", ln) for ln in lines]
                lines.append("msgstr " + json.dumps(mapping[msgid], ensure_ascii=False))
            else:
                missing.append(msgid)
        out.append("\n".join(lines))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(out))
    for msgid in missing:
        print("untranslated:", json.dumps(msgid, ensure_ascii=False))


if __name__ == "__main__":
    main()
