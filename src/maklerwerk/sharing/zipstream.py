"""A ZIP archive written as a stream of chunks: memory stays flat whatever the total size.

The standard library's ZipFile writes to an unseekable sink with data descriptors, so nothing is
built in memory or on disk; each member is copied in 1 MiB pieces and handed out as it is written.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO

CHUNK = 1024 * 1024


class _Sink(io.RawIOBase):
    """Collects what ZipFile writes until the generator hands it out; cannot seek (so: streaming)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]  # zipfile writes bytes
        data = bytes(b)
        self._parts.append(data)
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def unique_names(names: Iterable[str]) -> list[str]:
    """Make archive names unique: "Plan.pdf", "Plan (2).pdf", ..."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            stem, dot, ext = name.rpartition(".")
            candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def zip_stream(
    members: Iterable[tuple[str, int, Callable[[], IO[bytes]]]],
    *,
    on_member_error: Callable[[str, Exception], None] | None = None,
) -> Iterator[bytes]:
    """Yield a ZIP (stored, ZIP64 where needed) of (archive name, size, opener) members."""
    sink = _Sink()
    now = time.localtime()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, size, opener in members:
            try:
                src = opener()
            except OSError as exc:  # a file missing in storage must not break the whole archive
                if on_member_error:
                    on_member_error(name, exc)
                continue
            info = zipfile.ZipInfo(name, date_time=now)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.file_size = size
            with src, zf.open(info, mode="w", force_zip64=size > 0x7FFFFFFF) as dest:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    dest.write(chunk)
                    out = sink.drain()
                    if out:
                        yield out
            out = sink.drain()
            if out:
                yield out
    out = sink.drain()
    if out:
        yield out
