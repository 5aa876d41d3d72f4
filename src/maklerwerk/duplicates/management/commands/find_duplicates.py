from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.accounts.models import Office
from maklerwerk.core import csvsafe
from maklerwerk.duplicates import batch, finder
from maklerwerk.duplicates.reasons import reason_texts


class Command(BaseCommand):
    help = "Print probable duplicate groups (the same as the Dubletten page finds), as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--min-score", type=float, help="Lowest pair score (default: the office's threshold)"
        )
        parser.add_argument("--office", type=int, help="Office id (default: every office)")
        parser.add_argument("--save", action="store_true", help="Also store the pairs for the Dubletten page")

    def handle(self, *args: Any, **options: Any) -> None:
        offices = Office.objects.order_by("pk")
        if options["office"]:
            offices = offices.filter(pk=options["office"])
            if not offices:
                raise CommandError(f"office {options['office']} does not exist")
        quiet = options["verbosity"] == 0
        out: list[dict[str, Any]] = []
        for office in offices:
            bar = tqdm(
                desc=f"{office.name[:30]}: vergleichen", unit=" Blöcke", file=self.stderr, disable=quiet
            )

            def progress(stage: str, done: int, total: int, bar: tqdm = bar) -> None:
                if stage == "compare":
                    bar.total = total
                    bar.n = done
                    bar.refresh()

            pairs = finder.office_find_pairs(office.pk, min_score=options["min_score"], on_progress=progress)
            bar.close()
            if options["save"]:
                finder.pairs_store(office.pk, pairs)
            by_id: dict[int, list[batch.Pair[int]]] = {}
            for pair in pairs:
                by_id.setdefault(pair.a, []).append(pair)
            for group in batch.groups_of((p.a, p.b) for p in pairs):
                members = set(group)
                out.append(
                    {
                        "office_id": office.pk,
                        "contact_ids": group,
                        "pairs": [
                            {
                                "a": p.a,
                                "b": p.b,
                                "score": p.result.score,
                                "reasons": reason_texts(p.result.codes),
                                "similarities": p.result.similarities,
                            }
                            for cid in group
                            for p in by_id.get(cid, [])
                            if p.b in members
                        ],
                    }
                )
        if options["format"] == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        writer = csvsafe.writer(self.stdout)  # no formulas (CSV injection)
        writer.writerow(["group", "office_id", "contact_a", "contact_b", "score", "reasons"])
        for i, found in enumerate(out, 1):
            for p in found["pairs"]:
                writer.writerow([i, found["office_id"], p["a"], p["b"], p["score"], "; ".join(p["reasons"])])
