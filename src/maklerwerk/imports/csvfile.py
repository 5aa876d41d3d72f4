"""Reading the CSV files that old systems export: encoding and delimiter sniffed, German values.

Legacy exports come as UTF-8 (with or without BOM) or Windows-1252, with `;` (German Excel),
`,`, tab or `|` between the fields, and write dates as `31.12.2024` and numbers as `1.234,56`.
`read_table` turns the bytes into a header and rows of text or raises `CsvError` with a German
sentence; `parse_date`, `parse_number` and `parse_bool` read single values the same lenient way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

DELIMITERS = (";", ",", "\t", "|")
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")


class CsvError(ValueError):
    """The file cannot be read as a table; the message is German, for the user."""


@dataclass(frozen=True)
class Table:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str
    headers: list[str]
    rows: list[list[str]]  # every row as long as the header (short rows padded, see `read_table`)
    lines: list[int]  # the line in the file where each row starts (for error messages)


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM or valid UTF-8 is UTF-8, anything else is read as Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise CsvError(_("The file says it is UTF-8 but contains invalid characters.")) from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1252 leaves five bytes undefined; Latin-1 reads them (as control characters).
    text = raw.decode("cp1252") if _cp1252_ok(raw) else raw.decode("latin-1")
    return text, "cp1252"


def _cp1252_ok(raw: bytes) -> bool:
    return not any(b in raw for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of fields."""
    sample = "\n".join(text.splitlines()[:20])
    best, best_score = ";", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        steady = sum(1 for c in counts if c == counts[0])
        score = (steady, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(raw: bytes, *, max_rows: int | None = None) -> Table:
    """The header and rows of a CSV file, or CsvError (German) when it is no readable table."""
    if not raw.strip():
        raise CsvError(_("The file is empty."))
    if b"\x00" in raw[:4096]:
        raise CsvError(_("This is not a CSV file (it contains binary data); please export as CSV."))
    text, encoding = decode(raw)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise CsvError(_("The file is empty.")) from exc
    except csv.Error as exc:
        raise CsvError(_("The first line cannot be read: %s") % exc) from exc
    if len([h for h in headers if h]) < 1 or len(headers) < 2:
        raise CsvError(
            _("The first line must name the columns, separated by ; or , (found one column only).")
        )
    rows: list[list[str]] = []
    lines: list[int] = []
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((row + [""] * len(headers))[: max(len(headers), len(row))])
                lines.append(line)
                if max_rows is not None and len(rows) >= max_rows:
                    break
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CsvError(
            _("Line %(line)s cannot be read (%(error)s); is a quotation mark missing?")
            % {"line": line, "error": exc}
        ) from exc
    return Table(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows, lines=lines)


def _stream_reader(fh: IO[bytes], encoding: str, delimiter: str) -> Any:
    if encoding == "cp1252":
        ok = True
        while ok and (chunk := fh.read(1 << 20)):
            ok = _cp1252_ok(chunk)
        fh.seek(0)
        encoding = "cp1252" if ok else "latin-1"
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    return csv.reader(text, delimiter=delimiter, strict=True)


def stream_headers(fh: IO[bytes], encoding: str, delimiter: str) -> list[str]:
    """The header of a stored file as `read_table` reads it, without reading the rest."""
    return [h.strip() for h in next(_stream_reader(fh, encoding, delimiter), [])]


def stream_rows(fh: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a stored file after its header, one at a time (a big file is never read whole):
    (line, row padded to the header's length), read as `read_table` reads them. `encoding` and
    `delimiter` are what `read_table` found at the upload; "cp1252" falls back to Latin-1 for a
    file with bytes Windows-1252 leaves undefined, as `decode` does."""
    reader = _stream_reader(fh, encoding, delimiter)
    try:
        width = len(next(reader))
    except StopIteration:
        return
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield line, (row + [""] * width)[: max(width, len(row))]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CsvError(
            _("Line %(line)s cannot be read (%(error)s); is a quotation mark missing?")
            % {"line": line, "error": exc}
        ) from exc


_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


def parse_date(value: str) -> dt.date | None:
    """`31.12.2024`, `31.12.24` or `2024-12-31` (a time after it is ignored); empty → None.
    Raises ValueError with a German message for anything else, also for days like 31.02."""
    value = value.strip()
    if _DATE_DE.match(value.split(" ")[0]):
        value = value.split(" ")[0]  # "31.12.2024 10:15": the date
    if not value:
        return None
    if m := _DATE_DE.match(value):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year <= timezone.localdate().year % 100 else 1900
    elif m := _DATE_ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(_("“%s” is not a date (expected e.g. 31.12.2024).") % value)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("“%s” is not a valid date.") % value) from exc


def parse_number(value: str) -> Decimal | None:
    """`1.234,56`, `1234,56`, `1234.56` or `1,234.56`; € and spaces are ignored; empty → None."""
    text = value.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")  # 1.234 is a thousand separator in German exports
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%s” is not a number (expected e.g. 1.234,56).") % value) from exc
    if not number.is_finite():
        raise ValueError(_("“%s” is not a number (expected e.g. 1.234,56).") % value)
    return number


_TRUE = {"1", "ja", "j", "yes", "y", "true", "wahr", "x", "✓"}
_FALSE = {"0", "nein", "n", "no", "false", "falsch", "-", ""}


def parse_bool(value: str) -> bool:
    """Ja/Nein, 1/0, x/empty, true/false. Raises ValueError (German) for anything else: a consent
    is never guessed."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("“%s” is neither yes nor no (expected Ja/Nein, 1/0 or x).") % value)
