from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maklerwerk.core.baseurl import port_mismatch_warning


class Command(BaseCommand):
    help = "Serve the web app (gunicorn) together with the job worker (Huey); Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        warning = port_mismatch_warning(host=options["host"], port=options["port"])
        if warning:
            self.stderr.write(self.style.WARNING(warning))
        procs = {
            # Our own interpreter and fixed arguments; nothing from outside reaches the command line.
            "worker": subprocess.Popen([python, "-m", "maklerwerk", "run_huey", "--quiet"]),  # noqa: S603
            "web": subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "gunicorn",
                    "maklerwerk.config.wsgi",
                    "--bind",
                    f"{options['host']}:{options['port']}",
                    "--workers",
                    str(options["web_workers"]),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "5",
                ]
            ),
        }
        self.stdout.write(
            self.style.SUCCESS(f"Maklerwerk: http://{options['host']}:{options['port']}/  (Ctrl-C beendet)")
        )
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs.values()):
                time.sleep(0.3)
        finally:
            for name, proc in procs.items():
                if proc.poll() is None:
                    proc.terminate()
                else:
                    self.stderr.write(f"{name} exited with {proc.returncode}")
            for proc in procs.values():
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        failed = [n for n, p in procs.items() if p.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed and not stopping:
            raise SystemExit(1)
