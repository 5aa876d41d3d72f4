"""The duplicate engine and splink as whole processes, the way each is deployed: one command that
reads the data from disk, finds the pairs and writes them out. Time them from outside (e.g.
`/usr/bin/time -v`, or two commands taking turns) and compare the ratio of the two.

    python bench/dup_process.py prepare DIR          # data files, truth, splink models (trained once)
    python bench/dup_process.py ours DIR SET [OUT]    # the engine: read, normalise, find pairs
    python bench/dup_process.py splink DIR SET [OUT]  # splink 5 (DuckDB): read, predict from the model
    python bench/dup_process.py floor DIR SET         # the least any engine here does (see `floor`)
    python bench/dup_process.py score DIR SET OUT     # precision, recall, F1 of written pairs

SET is febrl2, febrl3, febrl4 (5,000 records; CRM fields: names, street, number, postcode,
suburb; febrl4 links two files) or german-N (N contacts from bench/german_duplicates.py, seed
11, the batch rows' fields; the engine reads the normalised profile rows `find_duplicates` reads
from the database, splink the same records as its columns). Both methods see the same fields.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from maklerwerk.duplicates.normalize import Record, RecordTable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

FEBRL_CRM = ("given_name", "surname", "address_1", "street_number", "postcode", "suburb")
PROFILE = (
    "first", "last", "first_ph", "last_ph", "birth", "emails", "phones", "street", "house_number",
    "postal_code", "city", "company",
)  # fmt: skip
SPLINK_MEMORY = "8GB"


def _write_rows(path: Path, header: tuple[str, ...] | list[str], rows: Any) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as f:
        reader = csv.reader(f)
        return next(reader), list(reader)


def prepare_febrl(out: Path) -> None:
    import json

    from bench.bench_duplicates import _febrl_sets, splink_train

    for name, (frames, truth) in _febrl_sets().items():
        for i, frame in enumerate(frames):
            df = frame.reset_index().rename(columns={frame.index.name or "index": "unique_id"})
            df[["unique_id", *FEBRL_CRM]].fillna("").to_csv(out / f"{name}.{i}.csv", index=False)
        model, trained = splink_train(frames, with_birth=False)
        (out / f"{name}.splink.json").write_text(json.dumps(model))
        _write_rows(out / f"{name}.truth.csv", ["a", "b"], sorted(truth))
        print(f"{name}: {sum(len(f) for f in frames)} records, splink trained in {trained:.1f} s", flush=True)


def prepare_german(out: Path, n: int) -> None:
    import gc
    import json

    import pandas as pd

    from bench.bench_duplicates import BATCH_FIELDS, splink_batch_train
    from bench.german_duplicates import dataset
    from maklerwerk.duplicates.normalize import records_from_columns

    name = f"german-{n}"
    records, truth = dataset(int(n / 1.25), seed=11)
    columns = {field: [r[field] for r in records] for field in BATCH_FIELDS}
    _write_rows(
        out / f"{name}.profiles.csv",
        PROFILE,
        (
            (r.first, r.last, r.first_ph, r.last_ph, r.birth, " ".join(r.emails), " ".join(r.phones),
             r.street, r.house_number, r.postal_code, r.city, r.company)
            for r in records_from_columns(columns)
        ),
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "unique_id": range(len(records)),
            "given_name": [r["first_name"].lower() for r in records],
            "surname": [r["last_name"].lower() for r in records],
            "date_of_birth": [r["birth_date"].replace("-", "") for r in records],
            "address_1": [r["street"].lower() for r in records],
            "street_number": [r["house_number"] for r in records],
            "postcode": [r["postal_code"] for r in records],
            "suburb": [r["city"].lower() for r in records],
        }
    )
    frame.to_csv(out / f"{name}.0.csv", index=False)
    _write_rows(out / f"{name}.truth.csv", ["a", "b"], sorted(truth))
    del records, columns
    gc.collect()
    model, trained, notes = splink_batch_train(_splink_frame(out / f"{name}.0.csv"))
    (out / f"{name}.splink.json").write_text(json.dumps(model))
    print(f"{name}: {len(frame)} records, splink trained in {trained:.1f} s {'; '.join(notes)}", flush=True)


def _splink_frame(path: Path) -> Any:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.replace("", None)  # missing: NULL


def _german_table(data: Path, name: str) -> RecordTable:
    """The stored profile rows as `finder.office_profiles` reads them: rows, then columns."""
    from maklerwerk.duplicates.normalize import RecordTable

    _header, rows = _read_rows(data / f"{name}.profiles.csv")
    return RecordTable.from_rows(rows)


def _febrl_records(data: Path, name: str) -> tuple[dict[str, Record], dict[str, int] | None]:
    """The FEBRL CSV files, normalised by the engine; with two files, which file each record is from."""
    from maklerwerk.duplicates.normalize import records_from_columns

    ours_of = dict(
        zip(
            ("first_name", "last_name", "street", "house_number", "postal_code", "city"),
            FEBRL_CRM,
            strict=True,
        )
    )
    records: dict[str, Record] = {}
    source: dict[str, int] = {}
    files = sorted(data.glob(f"{name}.[0-9].csv"))
    for i, path in enumerate(files):
        header, rows = _read_rows(path)
        at = {column: k for k, column in enumerate(header)}
        columns = {mine: [row[at[theirs]] for row in rows] for mine, theirs in ours_of.items()}
        ids = [row[0] for row in rows]
        records.update(zip(ids, records_from_columns(columns, country="AU"), strict=True))
        source.update(dict.fromkeys(ids, i))
    return records, source if len(files) > 1 else None


def ours(data: Path, name: str) -> list[tuple[Any, Any]]:
    """What the engine does in its own process: read, (normalise,) find the pairs."""
    from maklerwerk.duplicates.batch import find_pairs, find_pairs_in
    from maklerwerk.duplicates.normalize import gc_paused

    if name.startswith("german-"):  # as `finder.office_find_pairs` does
        with gc_paused():
            table = _german_table(data, name)
            pairs = find_pairs_in(range(len(table)), table, min_score=0.5)
            return [(p.a, p.b) for p in pairs]
    records, source = _febrl_records(data, name)
    febrl = find_pairs(records, min_score=0.5, source=source)
    return [(p.a, p.b) for p in febrl]


def floor(data: Path, name: str) -> int:
    """The least any engine in this stack does on the same input, as a whole process: start Python,
    import numpy and rapidfuzz, read the rows (FEBRL: and normalise them), number the fields and
    sort each of the engine's 20 blocking key kinds once (`blocking.key_runs`), and sort the codes
    of the candidate pairs once: those of the key kinds whose pairs are compared whatever else
    agrees (the broad kinds' pairs, which the engine first sifts, are left out). Nothing scored.
    A lower bound of what the engine does. Returns how many distinct pairs that gives."""
    import numpy as np
    import rapidfuzz.distance
    import rapidfuzz.process  # noqa: F401  # scoring's comparisons, loaded as the engine loads them

    from maklerwerk.duplicates import blocking
    from maklerwerk.duplicates.normalize import gc_paused

    with gc_paused():
        recs: Sequence[Record]
        if name.startswith("german-"):
            recs = _german_table(data, name)
        else:
            recs = list(_febrl_records(data, name)[0].values())
        runs = blocking.key_runs(recs, blocking.Columns(recs))
        n = len(recs)
        narrow = [kind for kind in blocking.KINDS if kind not in blocking.BROAD]
        codes = blocking.unique_ints(np.concatenate([runs[kind].pairs(n) for kind in narrow]))
        return len(codes)


def splink(data: Path, name: str) -> list[tuple[Any, Any]]:
    """A deployed splink model in its own process: read, load the saved model, predict at 0.5."""
    import json
    import tempfile

    import duckdb
    from splink import DuckDBAPI, Linker

    spill = tempfile.mkdtemp(prefix="splink-")
    api = DuckDBAPI(duckdb.connect(config={"memory_limit": SPLINK_MEMORY, "temp_directory": spill}))
    files = sorted(data.glob(f"{name}.[0-9].csv"))
    tables = [api.register(_splink_frame(path), table_name=f"t{i}") for i, path in enumerate(files)]
    model = json.loads((data / f"{name}.splink.json").read_text())
    linker = Linker(tables if len(tables) > 1 else tables[0], model, log_level=40)
    df = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    return list(zip(df["unique_id_l"].tolist(), df["unique_id_r"].tolist(), strict=True))


def score(data: Path, name: str, out: Path) -> str:
    _h, truth_rows = _read_rows(data / f"{name}.truth.csv")
    _h, rows = _read_rows(out)
    truth = {tuple(sorted(r)) for r in truth_rows}
    pred = {tuple(sorted(r)) for r in rows}
    tp = len(truth & pred)
    p, r = tp / max(1, len(pred)), tp / max(1, len(truth))
    return f"pairs {len(pred)} precision {p:.4f} recall {r:.4f} F1 {2 * p * r / max(1e-9, p + r):.4f}"


def main(argv: list[str]) -> None:
    command, data = argv[0], Path(argv[1])
    if command == "prepare":
        data.mkdir(parents=True, exist_ok=True)
        for what in argv[2:] or ["febrl", "german-200000"]:
            prepare_febrl(data) if what == "febrl" else prepare_german(data, int(what.split("-")[1]))
        return
    name = argv[2]
    if command == "score":
        print(score(data, name, Path(argv[3])))
        return
    started = time.perf_counter()
    if command == "floor":
        found = floor(data, name)
        print(f"floor {name}: {found} candidate pairs in {time.perf_counter() - started:.2f} s after imports")
        return
    pairs = ours(data, name) if command == "ours" else splink(data, name)
    if len(argv) > 3:
        _write_rows(Path(argv[3]), ["a", "b"], pairs)
    print(f"{command} {name}: {len(pairs)} pairs in {time.perf_counter() - started:.2f} s (after imports)")


if __name__ == "__main__":
    main(sys.argv[1:])


# --- the `process` part of `python -m bench duplicates`: whole processes, taking turns ---

PROCESS_RUNS = 5
PROCESS_SIZES = ("german-200000",)  # more (german-1000000): BENCH_PROCESS_SIZES, see process_section
METHODS = ("ours", "splink", "floor")
LABELS = {
    "ours": "Maklerwerk engine",
    "splink": "splink 5 (DuckDB), predicting",
    "floor": "floor: Python, numpy, read, keys, one sort",
}


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children's own accounting) of one whole process."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(data: Path, name: str, runs: int = PROCESS_RUNS) -> dict[str, Any]:
    """The engine, splink and the floor in turn (one warm-up each, the engine and splink writing
    their pairs for scoring, then `runs` rounds of one timed run each): per method the times,
    and splink's time over the method's pair by pair (same round)."""
    import statistics

    script = str(Path(__file__).resolve())
    out: dict[str, Any] = {}
    for method in METHODS:
        pairs_file = data / f"{name}.{method}.out"
        _timed([sys.executable, script, method, str(data), name, str(pairs_file)])
        scored = score(data, name, pairs_file) if method != "floor" else ""
        out[method] = {"score": scored, "wall": [], "cpu": []}
    for _ in range(runs):
        for method in METHODS:
            wall, cpu = _timed([sys.executable, script, method, str(data), name])
            out[method]["wall"].append(wall)
            out[method]["cpu"].append(cpu)
    for method in METHODS:
        m, s = out[method], out["splink"]
        walls = [b / a for a, b in zip(m["wall"], s["wall"], strict=True)]
        m["ratio"] = (statistics.median(walls), min(walls), max(walls))
        m["cpu_ratio"] = statistics.median([b / a for a, b in zip(m["cpu"], s["cpu"], strict=True)])
    return out


def _prepared(data: Path, sizes: list[str]) -> None:
    """Data files and splink models for FEBRL and `sizes`, unless `data` holds them already."""
    model = {"febrl": "febrl2"}
    wanted = [w for w in ["febrl", *sizes] if not (data / f"{model.get(w, w)}.splink.json").exists()]
    if wanted:
        main(["prepare", str(data), *wanted])


def process_section(quick: bool) -> str:
    """Environment: BENCH_PROCESS_SIZES (comma-separated German sets, default german-200000; e.g.
    german-200000,german-1000000) and BENCH_PROCESS_DATA (a directory to prepare the data in and
    keep, so a second run reuses it; default a temporary one)."""
    import compileall
    import os
    import shutil
    import statistics
    import tempfile

    from bench.bench_duplicates import Rows

    load_before = os.getloadavg()
    # Installed, the package has its bytecode; this checkout may not (PYTHONDONTWRITEBYTECODE):
    # compile it once, so no run compiles the engine's modules again. splink's are compiled.
    compileall.compile_dir(ROOT / "src" / "maklerwerk", quiet=1)
    compileall.compile_dir(ROOT / "bench", quiet=1)
    table = Rows(
        "process",
        quick,
        ["Data", "Records", "Method", "Wall s (median, min–max)", "CPU s (median)", "splink wall / this wall (median of pairs, min–max)", "splink CPU / this CPU (median of pairs)", "Precision", "Recall", "F1"],  # noqa: E501
        intro=(
            "Each method as **one whole process, the way it is deployed**: `python bench/dup_process.py "
            "ours|splink DIR SET` starts Python, imports its libraries, reads the data from a CSV file, "
            "finds the pairs at its default threshold (0.5) and ends. The engine normalises the FEBRL "
            "records itself and reads the German records as the normalised profile rows `find_duplicates` "
            "reads from the database (as `finder.office_profiles` does: rows, then columns); splink 5 "
            "(DuckDB, limited to 8GB) loads the model trained once beforehand (`prepare`, not timed) and "
            "predicts. Same fields for both: FEBRL CRM fields (names, street, number, postcode, suburb); "
            "German: first name, surname, birth date, street, number, PLZ, city. **Floor** "
            "(`python bench/dup_process.py floor DIR SET`): the least any engine in this stack (Python, "
            "numpy, rapidfuzz) does on the same input as a whole process: start Python, import numpy and "
            "rapidfuzz, read the rows (FEBRL: and normalise them), number the fields, sort each of the "
            "engine's 20 blocking key kinds once and sort the codes of the candidate pairs of its 9 narrow "
            "kinds once (the pairs it compares whatever else agrees; the broad kinds' pairs, which it "
            "first sifts, left out): nothing sifted, nothing scored, a lower bound of the engine's work. "
            "The package is compiled to bytecode first, as installed. After one warm-up each, the three "
            f"take turns ({PROCESS_RUNS} rounds); ratios are taken pair by pair within a round (the "
            "machine is shared: the ratio holds when its speed drifts, single times do not). Reproduce "
            "with `/usr/bin/time -v` around the same commands."
        ),
    )  # fmt: skip
    kept = os.environ.get("BENCH_PROCESS_DATA")
    data = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="dup-process-"))
    data.mkdir(parents=True, exist_ok=True)
    default = "german-20000" if quick else ",".join(PROCESS_SIZES)
    sizes = [s for s in os.environ.get("BENCH_PROCESS_SIZES", default).split(",") if s]
    goals = []
    try:
        _prepared(data, sizes)
        for name in ["febrl2", "febrl3", "febrl4", *sizes]:
            r = compare(data, name)
            files = list(data.glob(f"{name}.[0-9].csv"))
            records = sum(1 for path in files for _ in path.open()) - len(files)
            for method in METHODS:
                m = r[method]
                wall = f"{statistics.median(m['wall']):.2f} ({min(m['wall']):.2f}–{max(m['wall']):.2f})"
                ratio = "{:.2f}x ({:.2f}–{:.2f})".format(*m["ratio"])
                p, rec, f1 = (m["score"].split()[i] for i in (3, 5, 7)) if m["score"] else ("–", "–", "–")
                cpu = f"{statistics.median(m['cpu']):.2f}"
                table.add(
                    [
                        name,
                        f"{records:,}",
                        LABELS[method],
                        wall,
                        cpu,
                        ratio,
                        f"{m['cpu_ratio']:.2f}x",
                        p,
                        rec,
                        f1,
                    ]
                )
            budget = statistics.median(r["splink"]["wall"]) / 10
            floor_wall = statistics.median(r["floor"]["wall"])
            goals.append(
                f"{name}: 10x splink's prediction means at most {budget:.2f} s wall; the engine takes "
                f"{statistics.median(r['ours']['wall']):.2f} s, the floor {floor_wall:.2f} s "
                f"({floor_wall / budget:.1f}x that budget)."
            )
            load = os.getloadavg()
            table.notes = (
                f"German sets: {', '.join(sizes) or 'none'} (`BENCH_PROCESS_SIZES`). "
                f"Load average (1/5/15 min) before the runs {load_before[0]:.1f} / {load_before[1]:.1f} / "
                f"{load_before[2]:.1f}, after {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on "
                f"{os.cpu_count()} cores.\n\n" + "\n".join(f"- {g}" for g in goals)
            )
    finally:
        if not kept:
            shutil.rmtree(data, ignore_errors=True)
    return table.write()
