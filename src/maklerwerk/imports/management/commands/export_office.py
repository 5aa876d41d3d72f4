from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.accounts.models import Office
from maklerwerk.core.export import export_open, office_data_export


class _Bar:
    """The export job's progress as a tqdm bar (the job function takes a `Progress`)."""

    def __init__(self, bar: tqdm[Any]) -> None:
        self.job_id = f"cli-{secrets.token_hex(6)}"
        self.stopping = False
        self.bar = bar

    def update(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        self.bar.total = total
        self.bar.update(done - self.bar.n)


class Command(BaseCommand):
    help = (
        "Write everything of an office (every record as JSON, every file, OpenImmo, vCard and "
        "iCalendar) into one ZIP, readable only by the server's user; `import_office` loads it into "
        "an empty instance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="The ZIP file to write")
        parser.add_argument("--office", type=int, help="Office id (needed when there is more than one)")

    def handle(self, *args: Any, **options: Any) -> None:
        offices = Office.objects.all()
        if options["office"]:
            offices = offices.filter(pk=options["office"])
        if offices.count() != 1:
            raise CommandError("Name the office with --office ID (there is none or more than one).")
        office = offices.get()
        out: Path = options["out"]
        with tqdm(unit=" items", disable=options["verbosity"] == 0, desc="export") as bar:
            result = office_data_export(_Bar(bar), office_id=office.pk)
        if result is None:
            raise CommandError("The export was stopped.")
        source = export_open(result["file"], stored=result["stored"])
        if source is None:
            raise CommandError("The export was written but cannot be found.")
        # Only the server's user may read it: it holds every personal record of the office.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with source, os.fdopen(fd, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        if not result["stored"]:  # the copy in the data dir is not needed any more
            (settings.DATA_DIR / "exports" / result["file"]).unlink(missing_ok=True)
        self.stdout.write(f"{out}: {result['message']}.")
