"""A real SMTP server for the benchmarks that serializes none of its clients.

Several aiosmtpd server processes listen on one loopback port (SO_REUSEPORT: the kernel hands
each new connection to one of them), so two sending workers are read by two processes at once,
each on its own core, instead of taking turns in one event loop of the benchmark's process.
Each process writes every mail it accepts into the spool folder (`<pid>-<n>.eml`, written under
another name first and renamed, so a reader never sees half a mail) with one line per mail in
`<pid>.tsv`: the file name and the seconds from its reply to RCPT to the end of DATA (what a
sender waits for the server to read the mail). When stopped (SIGTERM) a process writes the CPU
time it used since it was ready (its start-up is not counted) to `<pid>.cpu`, so the benchmark
reports the server's work apart from the workers'.

    with smtp_spool(folder, processes=4) as server:   # server.port; afterwards server.cpu_seconds
        ...
    mails = spooled(folder)                            # [(raw bytes, DATA seconds)]

Run as `python -m bench.smtp_spool PORT FOLDER` (one process; `smtp_spool` starts several).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT, free_port


class _Spool:
    """aiosmtpd handler: every mail into the folder, with the time the server took to read it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        self.index = (folder / f"{os.getpid()}.tsv").open("a", encoding="utf-8")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        envelope.rcpt_tos.append(address)
        envelope.rcpt_at = time.monotonic()
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        seconds = time.monotonic() - envelope.rcpt_at
        self.count += 1
        name = f"{os.getpid()}-{self.count}.eml"
        part = self.folder / f".{name}.part"
        part.write_bytes(envelope.original_content)
        part.rename(self.folder / name)
        self.index.write(f"{name}\t{seconds:.6f}\n")
        self.index.flush()
        return "250 OK"


def serve(port: int, folder: Path) -> None:
    """One server process on `port` (shared with its siblings) until SIGTERM; then its CPU time."""
    from aiosmtpd.smtp import SMTP

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so (else every reply of
    # more than one line waits 40 ms for the client's delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    handler = _Spool(folder)
    server = loop.run_until_complete(loop.create_server(lambda: SMTP(handler, loop=loop), sock=sock))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    ready = _cpu()
    (folder / f"{os.getpid()}.ready").touch()
    loop.run_forever()
    server.close()
    (folder / f"{os.getpid()}.cpu").write_text(f"{_cpu() - ready:.6f}\n")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class SpoolServer:
    port: int
    folder: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    cpu_seconds: float = 0.0  # all processes together since they were ready, known once they stopped


@contextlib.contextmanager
def smtp_spool(folder: Path, *, processes: int = 4, port: int = 0) -> Iterator[SpoolServer]:
    """`processes` aiosmtpd processes on one loopback port (`port`, else a free one), spooling into
    `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    server = SpoolServer(port or free_port(), folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        for _ in range(processes):
            server.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.smtp_spool", str(server.port), str(folder)], env=env
                )
            )
        end = time.monotonic() + 30
        while sum(1 for p in server.processes if (folder / f"{p.pid}.ready").exists()) < processes:
            if time.monotonic() > end or any(p.poll() is not None for p in server.processes):
                raise RuntimeError("the SMTP server processes did not start")
            time.sleep(0.05)
        yield server
    finally:
        for proc in server.processes:
            proc.send_signal(signal.SIGTERM)
        for proc in server.processes:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        server.cpu_seconds = sum(
            float((folder / f"{p.pid}.cpu").read_text())
            for p in server.processes
            if (folder / f"{p.pid}.cpu").exists()
        )


def spooled(folder: Path) -> list[tuple[bytes, float]]:
    """Every mail in the spool with the seconds the server took to read it (DATA)."""
    seconds: dict[str, float] = {}
    for index in folder.glob("*.tsv"):
        for line in index.read_text(encoding="utf-8").splitlines():
            name, value = line.split("\t")
            seconds[name] = float(value)
    return [(path.read_bytes(), seconds[path.name]) for path in sorted(folder.glob("*.eml"))]


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]))
