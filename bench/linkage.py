"""Duplicate matching: quality and incremental latency, side by side with Splink 5 (DuckDB) in one run.

    .venv/bin/python bench/linkage.py                    # full run (1,000,000-child directory for latency)
    .venv/bin/python bench/linkage.py --directory 100000 # smaller latency directory
    .venv/bin/python bench/linkage.py --write-model      # re-estimate the shipped mappings/matching/model.yaml

Quality: synthetic easy and hard sets (gateway.matching.synthetic) split by household into train and test.
Both systems estimate their parameters on the *train* split without labels (u by random sampling, m by EM
blocked on birth date and on names) and are scored on the *test* split: predicted duplicates are the
gateway's ``certain`` + ``probable`` grades at the default thresholds, and Splink's pairs with match
probability >= 0.5 (also shown: Splink at the threshold that maximises F1 on the train split). No threshold
is tuned on the test split. Splink gets one value per column (usual name, current address, first carer).

Latency: one incoming record matched against a directory (in-memory index), p50/p95/p99 over 1,000 queries
(half noisy copies of directory children, half new children); the same against Splink's
``predict_between`` and against the SQL index (SQLite) on smaller directories, measured in this run.
Needs the bench extra: ``.venv/bin/pip install -e '.[bench]'`` (splink).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

from gateway.matching import (
    InMemoryIndex,
    Matcher,
    Thresholds,
    estimate_model,
    find_duplicates,
    load_model,
)
from gateway.matching.record import IdentityRecord
from gateway.matching.store import SqlIndex
from gateway.matching.synthetic import EASY, HARD, SyntheticData, generate
from gateway.storage import open_database

ROOT = Path(__file__).resolve().parents[1]
PREDICTED = ("certain", "probable")


def scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


# --- the gateway's matcher ---------------------------------------------------------------------------------


def gateway_quality(train: SyntheticData, test: SyntheticData) -> tuple[tuple[float, float, float], float, float]:
    probe = Matcher()
    start = time.perf_counter()
    model = estimate_model([probe.prepare(r) for r in train.records], load_model(), seed=1)
    trained = time.perf_counter() - start
    matcher = Matcher(model=model, thresholds=Thresholds())
    start = time.perf_counter()
    predicted = {
        pair(r.record_id, r.candidate_id) for r in find_duplicates(test.records, matcher) if r.grade in PREDICTED
    }
    return scores(predicted, test.true_pairs()), trained, time.perf_counter() - start


# --- Splink 5 -------------------------------------------------------------------------------------------------


def splink_rows(records: tuple[IdentityRecord, ...]) -> list[dict[str, str | None]]:
    rows = []
    for r in records:
        name = r.names[0] if r.names else None
        address = r.addresses[0] if r.addresses else None
        carer = r.carer_names[0] if r.carer_names else None
        rows.append(
            {
                "unique_id": r.record_id,
                "first_name": (name.given[0].upper() if name and name.given else None),
                "surname": (name.family.upper() if name and name.family else None),
                "dob": r.birth_date.isoformat() if r.birth_date else None,
                "sex": r.sex if r.sex in ("M", "F") else None,
                "postcode": address.postcode if address else None,
                "address_line": address.line.upper() if address and address.line else None,
                "nhs_number": r.nhs_number,
                "upn": r.upns[0] if r.upns else None,
                "local_id": r.local_ids[0] if r.local_ids else None,
                "carer": (" ".join((*carer.given, carer.family or "")).upper() if carer else None),
            }
        )
    return rows


def splink_settings():  # type: ignore[no-untyped-def]
    import splink.comparison_library as cl  # noqa: PLC0415
    from splink import SettingsCreator, block_on  # noqa: PLC0415

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
            cl.LevenshteinAtThresholds("address_line", [2, 5]),
            cl.DamerauLevenshteinAtThresholds("nhs_number", [1]),
            cl.DamerauLevenshteinAtThresholds("upn", [1]),
            cl.ExactMatch("local_id"),
            cl.JaroWinklerAtThresholds("carer", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("substr(dob, 1, 7)", "surname"),
            block_on("first_name", "surname"),
            block_on("postcode"),
            block_on("nhs_number"),
            block_on("upn"),
            block_on("local_id"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def splink_train(train: SyntheticData):  # type: ignore[no-untyped-def]
    from splink import Linker, block_on  # noqa: PLC0415
    from splink.backends.duckdb import DuckDBAPI  # noqa: PLC0415

    db = DuckDBAPI()
    linker = Linker(db.register(splink_rows(train.records)), splink_settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("upn"), block_on("first_name", "surname", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    return linker, db


def splink_pairs(linker, data: SyntheticData) -> list[tuple[tuple[str, str], float]]:  # type: ignore[no-untyped-def]
    from splink import Linker  # noqa: PLC0415
    from splink.backends.duckdb import DuckDBAPI  # noqa: PLC0415

    db = DuckDBAPI()
    scored = Linker(db.register(splink_rows(data.records)), linker.misc.save_model_to_json(), log_level=None)
    rows = scored.inference.predict(threshold_match_probability=0.01).as_record_list()
    return [(pair(row["unique_id_l"], row["unique_id_r"]), row["match_probability"]) for row in rows]


def best_threshold(scored: list[tuple[tuple[str, str], float]], truth: set[tuple[str, str]]) -> float:
    best, chosen = -1.0, 0.5
    for threshold in (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999):
        f1 = scores({p for p, prob in scored if prob >= threshold}, truth)[2]
        if f1 > best:
            best, chosen = f1, threshold
    return chosen


# --- latency ----------------------------------------------------------------------------------------------------


def queries(directory: SyntheticData, count: int, seed: int) -> list[IdentityRecord]:
    """Half noisy copies of directory children (hard noise), half children not in the directory."""
    rng = random.Random(seed)
    noisy = generate(HARD, count, seed=seed + 1000)
    fresh = [replace(r, record_id=f"q{i}") for i, r in enumerate(noisy.records[: count // 2])]
    copies = [replace(r, record_id=f"c{i}") for i, r in enumerate(rng.sample(directory.records, count - len(fresh)))]
    copies = [
        replace(
            c,
            nhs_number=None if rng.random() < 0.5 else c.nhs_number,
            addresses=c.addresses[:0] if rng.random() < 0.3 else c.addresses,
        )
        for c in copies
    ]
    mixed = fresh + copies
    rng.shuffle(mixed)
    return mixed


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return f"p50 {pick(0.5):7.2f} ms  p95 {pick(0.95):7.2f} ms  p99 {pick(0.99):7.2f} ms"


def time_matcher(matcher: Matcher, incoming: list[IdentityRecord]) -> tuple[list[float], list[float]]:
    """(wall-clock, CPU) seconds per query. CPU time leaves out waiting for a core on a shared machine."""
    wall, cpu = [], []
    for record in incoming:
        start, start_cpu = time.perf_counter(), time.thread_time()
        matcher.match(record)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def write_model(children: int) -> None:
    data = generate(HARD, children, seed=7)
    probe = Matcher()
    note = (
        "EM (u: random pairs, m: EM blocked on birth date and names) on "
        f"{len(data.records)} synthetic hard-setting records, seed 7, bench/linkage.py --write-model"
    )
    model = estimate_model([probe.prepare(r) for r in data.records], load_model(), seed=7, note=note)
    path = ROOT / "mappings" / "matching" / "model.yaml"
    model.save(path)
    header = (
        "# Fellegi-Sunter m and u per field and level (gateway.matching). Regenerate: bench/linkage.py --write-model\n"
    )
    path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {path}")


def row(name: str, figures: tuple[float, float, float], trained: float, predicted: float) -> str:
    p, r, f1 = figures
    return f"      {name:44} {p:9.4f} {r:7.4f} {f1:7.4f}   {trained:5.1f} s / {predicted:5.1f} s"


def quality(children: int) -> dict[str, object]:
    """Print the quality table; return Splink's model estimated on the hard train split."""
    print("== Quality (test split; parameters estimated on the train split without labels) ==")
    print(f"      {'system':44} {'precision':>9} {'recall':>7} {'F1':>7}   train / predict")
    hard_model: dict[str, object] = {}
    for setting in (EASY, HARD):
        data = generate(setting, children, seed=11)
        train, test = data.split(0.5, seed=3)
        figures, trained, predicted = gateway_quality(train, test)
        print(f"{setting.name}: {len(test.records)} test records, {len(test.true_pairs())} true pairs")
        print(row("ecm-gateway (certain + probable)", figures, trained, predicted))
        start = time.perf_counter()
        linker, _ = splink_train(train)
        trained = time.perf_counter() - start
        hard_model = linker.misc.save_model_to_json()
        threshold = best_threshold(splink_pairs(linker, train), train.true_pairs())
        start = time.perf_counter()
        scored = splink_pairs(linker, test)
        predicted = time.perf_counter() - start
        for name, cut in (("splink 5 (p >= 0.5)", 0.5), (f"splink 5 (p >= {threshold}, best on train)", threshold)):
            figures = scores({q for q, prob in scored if prob >= cut}, test.true_pairs())
            print(row(name, figures, trained, predicted))
    return hard_model


def splink_latency(model: dict[str, object], directory: SyntheticData, incoming: list[IdentityRecord]) -> list[float]:
    from splink import Linker  # noqa: PLC0415
    from splink.backends.duckdb import DuckDBAPI  # noqa: PLC0415

    db = DuckDBAPI()
    existing = db.register(splink_rows(directory.records), table_name="existing")
    linker = Linker(existing, model, log_level=None)
    for column in ("first_name", "surname"):
        linker.table_management.compute_tf_table(column)
    samples = []
    for i, record in enumerate(incoming):
        new = db.register(splink_rows((record,)), table_name=f"new_{i}")
        start = time.perf_counter()
        linker.inference.predict_between(existing, new, threshold_match_probability=0.01).as_record_list()
        samples.append(time.perf_counter() - start)
    return samples


def sql_latency(size: int) -> tuple[int, list[float]]:
    directory = generate(replace(EASY, extra_records=()), size, seed=23)
    with TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{folder}/bench.sqlite3")
        probe = Matcher()
        index = SqlIndex(database)
        index.add_many([probe.prepare(r) for r in directory.records])
        samples, _ = time_matcher(Matcher(index), queries(directory, 300, seed=24))
        database.dispose()
    return len(directory.records), samples


def latency(model: dict[str, object], size: int, count: int) -> None:
    print("\n== Incremental latency: one incoming record against a directory (one record per child) ==")
    small = generate(replace(EASY, extra_records=()), 10_000, seed=21)
    incoming = queries(small, 200, seed=22)
    splink_samples = splink_latency(model, small, incoming[:40])
    matcher = Matcher(InMemoryIndex())
    for record in small.records:
        matcher.add(record)
    ours, ours_cpu = time_matcher(matcher, incoming)
    n = len(small.records)
    label = f"splink 5 predict_between, DuckDB ({len(splink_samples)})"
    print(f"{n:>9,} children  {label}  wall {percentiles(splink_samples)}")
    print(f"{n:>9,} children  ecm-gateway, in-memory index ({len(ours)})     wall {percentiles(ours)}")
    print(f"{'':19}{'':38}cpu  {percentiles(ours_cpu)}")
    ratio = statistics.median(splink_samples) / statistics.median(ours)
    print(f"{'':19}ratio of medians, splink / ecm-gateway: {ratio:,.0f}x")
    n, sql_samples = sql_latency(min(size, 100_000))
    print(f"{n:>9,} children  ecm-gateway, SQL index on SQLite (300)  wall {percentiles(sql_samples)}")
    del small, matcher
    gc.collect()
    start = time.perf_counter()
    big = generate(replace(EASY, extra_records=()), size, seed=25)
    generated = time.perf_counter() - start
    matcher = Matcher(InMemoryIndex())
    start = time.perf_counter()
    for record in big.records:
        matcher.add(record)
    indexed = time.perf_counter() - start
    gc.freeze()  # the directory is long-lived: keep the cyclic collector from rescanning it on every query
    ours, ours_cpu = time_matcher(matcher, queries(big, count, seed=26))
    n = len(big.records)
    print(f"{n:>9,} children  ecm-gateway, in-memory index ({len(ours)})    wall {percentiles(ours)}")
    print(f"{'':19}{'':38}cpu  {percentiles(ours_cpu)}")
    load = os.getloadavg()[0]
    print(f"{'':19}(directory generated in {generated:.0f} s, indexed in {indexed:.0f} s; load average {load:.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000, help="children per quality set (default 20000)")
    parser.add_argument("--directory", type=int, default=1_000_000, help="directory size for latency")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--write-model", action="store_true", help="re-estimate mappings/matching/model.yaml")
    args = parser.parse_args()
    if args.write_model:
        write_model(args.children)
        return 0
    logging.getLogger("splink").setLevel(logging.ERROR)
    model = quality(args.children)
    latency(model, args.directory, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
