"""Every string the UI can show has a German translation (issue 16: English leaked into Einstellungen).

The strings are extracted from the code and templates as `makemessages` does (on a copy, so the
committed catalogues stay untouched) and looked up in all committed German catalogues together,
as Django merges them at run time. A new `_("…")` without a German entry fails here with its text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

import maklerwerk

pytestmark = pytest.mark.once  # independent of the database: run it in one phase only

SRC = Path(maklerwerk.__file__).parent


def _extract(tmp_path: Path) -> Path:
    copy = tmp_path / "maklerwerk"
    shutil.copytree(
        SRC,
        copy,
        ignore=shutil.ignore_patterns("static", "locale", "__pycache__", "*.mo", "*.po", "migrations"),
    )
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["de"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    return copy / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _msgids(po_text: str) -> list[str]:
    # The first line of each msgid, enough to find the string in the code.
    ids = []
    for line in po_text.splitlines():
        if line.startswith("msgid ") and line != 'msgid ""':
            ids.append(line[len("msgid ") :].strip('"'))
        elif line.startswith('"') and ids and ids[-1] == "":
            ids[-1] = line.strip('"')
    return [i for i in ids if i]


def test_every_ui_string_has_a_german_translation(tmp_path: Path) -> None:
    extracted = _extract(tmp_path)
    catalogues = sorted(str(p) for p in SRC.rglob("locale/de/LC_MESSAGES/django.po"))
    combined = tmp_path / "combined.po"
    subprocess.run(["msgcat", "--use-first", "-o", str(combined), *catalogues], check=True)
    merged = tmp_path / "merged.po"
    subprocess.run(
        ["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", str(merged), str(combined), str(extracted)],
        check=True,
    )
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", str(merged)], check=True, capture_output=True, text=True
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", str(merged)], check=True, capture_output=True, text=True
    ).stdout
    missing = _msgids(untranslated) + _msgids(fuzzy)
    assert len(_msgids(extracted.read_text())) > 1500  # the extraction found the UI's strings
    assert missing == [], f"{len(missing)} strings without German translation: {missing[:40]}"


def test_translation_functions_keep_names_makemessages_knows() -> None:
    # `gettext_lazy as _lazy` hid eight Einstellungen strings from makemessages: they stayed English.
    known = {
        "_",
        "gettext",
        "gettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "gettext_noop",
    }
    renamed = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("from django.utils.translation import") and " as " in line:
                for part in line.split("import", 1)[1].split(","):
                    name, _sep, alias = part.strip().partition(" as ")
                    if alias and alias not in known:
                        renamed.append(f"{path.relative_to(SRC)}: {name} as {alias}")
    assert renamed == []
