"""A trap for PDF renderers that must fetch nothing: a real HTTP server on loopback that records
every request (and would answer with a CSS rule and a picture), a picture in MEDIA_ROOT with an
unmistakable size, and CSS that tries to load both and `file:///etc/passwd`."""

from __future__ import annotations

import io
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

TRAP_SIZE = (321, 123)  # a picture of this size in the PDF means a file or URL was fetched
HTTP_SIZE = (234, 117)


def png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


@contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, the paths requested so far) of a real HTTP server on 127.0.0.1."""
    requested: list[str] = []
    picture = png(HTTP_SIZE, (200, 30, 30))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            body, kind = (picture, "image/png")
            if self.path.endswith(".css"):
                body, kind = (b'body::after { content: "HTTP-CSS-GELADEN"; }', "text/css")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


def media_picture(media_root: str) -> Path:
    """A picture in MEDIA_ROOT (where uploaded photos and documents live)."""
    path = Path(media_root) / "properties" / "trap.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(TRAP_SIZE, (30, 30, 200)))
    return path


def hostile_css(base_url: str, picture: Path) -> str:
    """Office CSS that tries every way to make the renderer read a file or call a URL."""
    return (
        f'@font-face {{ font-family: Falle; src: url("{base_url}/font.woff"); }}\n'
        f'html {{ background-image: url("{base_url}/background.png"); }}\n'
        'body { font-family: Falle, sans-serif; background: url("file:///etc/passwd"); }\n'
        f'body::before {{ content: url("file://{picture}"); }}\n'
        f'body::after {{ content: url("{base_url}/picture.png"); }}\n'
        f'h1::after {{ content: url("{picture.as_uri()}"); }}\n'
    )


def pdf_image_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    """(width, height) of every image in the PDF, read with poppler's pdfimages."""
    path = tmp_path / "fetchtrap.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True)
    sizes = []
    for line in out.stdout.splitlines()[2:]:
        cols = line.split()
        sizes.append((int(cols[3]), int(cols[4])))
    return sizes


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fetchtrap-text.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return done.stdout
