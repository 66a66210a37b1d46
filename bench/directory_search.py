"""Directory search over 1,000,000 generated children on PostgreSQL: p50/p95/p99 per kind of search.

Run (PostgreSQL from ``scripts/services``; takes a few minutes, mostly generating and indexing)::

    eval "$(scripts/services env)"
    .venv/bin/python bench/directory_search.py [--children 1000000] [--queries 400]

Everything happens in a fresh schema that is dropped at the end. Children are synthetic: Zipf-distributed
surnames (a few very common, a long tail), given names, birth dates over 17 years, households sharing
postcodes, 1% shielded. Rows are loaded with COPY into the migrated tables (constraints and indexes are
dropped for the load and re-created after, as a bulk load would).

Each search goes through ``DirectoryStore.search`` — the SQL, fuzzy ranking in Python, and the audit
entry written in the same transaction — exactly as the API runs it. The baseline is the same searches on
the same data with index use switched off (``enable_indexscan``/``bitmapscan``/``indexonlyscan`` = off,
so PostgreSQL must scan), measured in the same run. EXPLAIN shows the plan of each.
"""

from __future__ import annotations

import argparse
import bisect
import io
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import orjson
import psycopg

from gateway.access import DIRECTORY_READ, Caller
from gateway.directory import DirectoryQuery, DirectoryStore
from gateway.directory.names import index_keys
from gateway.directory.search import search_statement
from gateway.model import PersonName
from gateway.storage import Database, open_database


def _words(text: str) -> list[str]:
    return text.split()


COMMON_SURNAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts "
    "Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose Davis Rodriguez Cox "
    "Alexander Garcia Martin Morris Hughes Edwards Moore Harris Turner Lee King Hill Allen Scott Ward Baker Ahmed "
    "Ali Hussain Begum Singh Kaur Murphy Kelly Campbell Anderson Stewart Young Cooper Bailey Parker Price"
)
COMMON_GIVEN = _words(
    "Oliver George Harry Noah Jack Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Freddie Alfie "
    "Theo Archie Joshua Alexander James Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia "
    "Isabella Grace Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Matilda Aisha "
    "Fatima Zara Maya Ruby Chloe Jessica Ethan Lucas Mason Logan Daniel Samuel Joseph David Ryan Ben Amir"
)
SYLLABLES = _words(
    "ab ad al an ar ba be bo ca ce co da de do el en er fa fe ga ge ha he ka ke la le li lo ma me mi mo na ne ni "
    "no or pa pe ra re ri ro sa se si so ta te ti to va ve wa we ya ze"
)
_NO_INDEX = "-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off"


def synthetic_names(rng: random.Random, count: int, *, suffixes: tuple[str, ...]) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))]
        names.add(("".join(parts) + rng.choice(suffixes)).capitalize())
    return sorted(names)


def zipf_weights(count: int, exponent: float = 1.05) -> list[float]:
    return [1.0 / (rank**exponent) for rank in range(1, count + 1)]


class Population:
    """Generates children deterministically from a seed."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.surnames = COMMON_SURNAMES + synthetic_names(rng, 20_000, suffixes=("son", "ley", "ton", "er", "s", ""))
        self.given = COMMON_GIVEN + synthetic_names(rng, 2_000, suffixes=("a", "ie", "n", "o", "y", ""))
        # Flattened Zipf: the commonest surname is about 1.5% of children and the commonest given name about
        # 2%, roughly as in England (Smith ~1.3%; the top baby names ~1.5-2%).
        self.surname_cum = _cumulative(zipf_weights(len(self.surnames), 0.7))
        self.given_cum = _cumulative(zipf_weights(len(self.given), 0.6))
        self._keys: dict[tuple[str, str], str] = {}

    def keys(self, given: str, family: str) -> str:
        found = self._keys.get((given, family))
        if found is None:
            found = "\n".join(sorted(index_keys([PersonName(given=(given,), family=family)])))
            self._keys[(given, family)] = found
        return found

    def child(self, number: int) -> dict[str, Any]:
        rng = self.rng
        family = self.surnames[_pick(rng, self.surname_cum)]
        given = self.given[_pick(rng, self.given_cum)]
        household = number // 3
        return {
            "child_id": f"c{number:07d}",
            "given": given,
            "family": family,
            "birth_date": date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365)),
            "sex": rng.choice("MF"),
            "postcode": f"Q{household % 97:02d} {household % 9}{_letter(household // 97)}{_letter(household // 2522)}",
            "nhs_number": f"{9000000000 + number}",
            "upn": f"B{number:012d}",
            "la_child_id": f"LC{number:08d}",
            "shielded": rng.random() < 0.01,
        }


def _letter(value: int) -> str:
    return chr(65 + value % 26)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [value / total for value in out]


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect_left(cumulative, rng.random()), len(cumulative) - 1)


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load(conn: psycopg.Connection[Any], population: Population, count: int) -> list[dict[str, Any]]:
    """COPY ``count`` children into the directory tables; returns a sample of them for the queries."""
    sample: list[dict[str, Any]] = []
    now = "2026-01-01 00:00:00+00"
    children_sql = (
        "COPY directory_children (child_id, la_code, nhs_number, upn, names, birth_date, sex, address, "
        "address_status, postcode_key, shielded, education_setting, gp_practice, caf_indicator, retain_until, "
        "archived_at, updated_at) FROM STDIN"
    )
    chunk = 50_000
    with conn.cursor() as cur:
        for start in range(0, count, chunk):
            children, local_ids, keys = io.StringIO(), io.StringIO(), io.StringIO()
            for number in range(start, min(start + chunk, count)):
                child = population.child(number)
                if number % max(1, count // 2000) == 0:
                    sample.append(child)
                names = orjson.dumps([{"given": [child["given"]], "family": child["family"]}]).decode()
                shielded = child["shielded"]
                address = (
                    None
                    if shielded
                    else orjson.dumps({"lines": ["1 Bench Street"], "postcode": child["postcode"]}).decode()
                )
                born = child["birth_date"]
                retain = born.replace(year=born.year + 18) if (born.month, born.day) != (2, 29) else None
                row = (
                    child["child_id"], "201", child["nhs_number"], child["upn"], names, born, child["sex"], address,
                    "withheld" if shielded else "known",
                    None if shielded else child["postcode"].replace(" ", ""), "t" if shielded else "f",
                    None, None, None, retain, None, now,
                )  # fmt: skip
                children.write("\t".join(_text(value) for value in row) + "\n")
                local_ids.write(f"{child['child_id']}\t201\t{child['la_child_id']}\n")
                for key in population.keys(child["given"], child["family"]).split("\n"):
                    keys.write(f"{_text(key)}\t{child['child_id']}\n")
            for sql, buffer in (
                (children_sql, children),
                ("COPY directory_local_ids (child_id, la_code, la_child_id) FROM STDIN", local_ids),
                ("COPY directory_name_keys (key, child_id) FROM STDIN", keys),
            ):
                with cur.copy(sql) as copy:
                    copy.write(buffer.getvalue())
            print(f"  loaded {min(start + chunk, count):>9,} children", end="\r", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return sample


TABLES = ("directory_children", "directory_local_ids", "directory_name_keys")


def drop_constraints(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the loaded tables' constraints and indexes; returns the DDL that re-creates them (FKs last)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid::regclass::text LIKE 'directory%%' AND contype IN ('p', 'f', 'u') ORDER BY contype = 'f'",
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND schemaname = current_schema() "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(TABLES),),
        )
        indexes = cur.fetchall()
        for table, name, _definition, _kind in reversed(constraints):
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    recreate = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind != "f"
    ]
    recreate += [definition for _name, definition in indexes]
    recreate += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return recreate


def queries(sample: list[dict[str, Any]], rng: random.Random) -> dict[str, Callable[[dict[str, Any]], DirectoryQuery]]:
    def typo(name: str) -> str:
        if len(name) < 5:
            return name
        at = rng.randrange(1, len(name) - 2)
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]

    def full(c: dict[str, Any]) -> DirectoryQuery:
        return DirectoryQuery(family_name=c["family"], given_name=c["given"], birth_date=c["birth_date"])

    def misspelt(c: dict[str, Any]) -> DirectoryQuery:
        return DirectoryQuery(family_name=typo(c["family"]), given_name=c["given"], birth_date=c["birth_date"])

    return {
        "family+given+birth date": full,
        "family (typo)+given+birth date": misspelt,
        "family+given": lambda c: DirectoryQuery(family_name=c["family"], given_name=c["given"]),
        "family+birth date": lambda c: DirectoryQuery(family_name=c["family"], birth_date=c["birth_date"]),
        "family+postcode": lambda c: DirectoryQuery(family_name=c["family"], postcode=c["postcode"]),
        "postcode+birth date": lambda c: DirectoryQuery(postcode=c["postcode"], birth_date=c["birth_date"]),
        "NHS number": lambda c: DirectoryQuery(nhs_number=c["nhs_number"]),
        "UPN": lambda c: DirectoryQuery(upn=c["upn"]),
        "LA child id": lambda c: DirectoryQuery(la_code="201", la_child_id=c["la_child_id"]),
    }  # fmt: skip


Kinds = dict[str, Callable[[dict[str, Any]], DirectoryQuery]]
FLOOR = "(floor: audited view, no match)"


def measure(
    store: DirectoryStore, kinds: Kinds, children: list[dict[str, Any]]
) -> dict[str, tuple[list[float], float]]:
    """Time every kind of search for each child in turn (interleaved, so a noisy neighbour hits all kinds alike).

    Returns, per kind, the timings in ms and the share of searches whose results include the child.
    """
    caller = Caller(user_id="bench", organisation_code="BENCH", roles=frozenset({DIRECTORY_READ}))
    timings: dict[str, list[float]] = {name: [] for name in kinds}
    floor: list[float] = []
    found: dict[str, int] = dict.fromkeys(kinds, 0)
    for child in children:
        for name, build in kinds.items():
            query = build(child)
            started = time.perf_counter()
            result = store.search(query, caller, "audit")
            timings[name].append((time.perf_counter() - started) * 1000)
            found[name] += any(hit.child_id == child["child_id"] for hit in result.results)
        started = time.perf_counter()
        store.entry("c-missing", caller, "audit")  # one indexed lookup + the audit entry + commit
        floor.append((time.perf_counter() - started) * 1000)
    return {**{name: (timings[name], found[name] / len(children)) for name in kinds}, FLOOR: (floor, 0.0)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def explain(database: Database, query: DirectoryQuery) -> str:
    statement, _cap = search_statement(query)
    if statement is None:
        return "    (no statement: the name has no letters)"
    with database.engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}").all()
    return "\n".join("    " + row[0] for row in rows)


def _schema_url(server_url: str, schema: str, options: str = "") -> str:
    separator = "&" if "?" in server_url else "?"
    return f"{server_url}{separator}options={quote(f'-csearch_path={schema} {options}'.strip())}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400, help="searches per kind (indexed)")
    parser.add_argument("--baseline-queries", type=int, default=15, help="searches per kind with index use off")
    args = parser.parse_args()
    server_url = os.environ.get("ECM_BENCH_POSTGRES_URL") or os.environ.get("ECM_TEST_POSTGRES_URL")
    if not server_url:
        print('set ECM_TEST_POSTGRES_URL (eval "$(scripts/services env)")', file=sys.stderr)
        return 2
    plain = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        return run(args, plain, server_url, schema)
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run(args: argparse.Namespace, plain: str, server_url: str, schema: str) -> int:
    database = open_database(_schema_url(server_url, schema))
    population = Population(seed=7)
    started = time.perf_counter()
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as conn:
        recreate = drop_constraints(conn)
        sample = load(conn, population, args.children)
        loaded = time.perf_counter()
        with conn.cursor() as cur:
            for statement in recreate:
                cur.execute(statement)
            cur.execute("ANALYZE")
        conn.commit()
    indexed_at = time.perf_counter()
    print(f"generated and loaded {args.children:,} children with COPY in {loaded - started:.1f} s; "
          f"constraints and indexes re-created and analysed in {indexed_at - loaded:.1f} s")  # fmt: skip
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as conn:
        sizes = conn.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s) "
            "AND relnamespace = current_schema()::regnamespace ORDER BY relname",
            (list(TABLES),),
        ).fetchall()
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in sizes))
    rng = random.Random(11)
    kinds = queries(sample, rng)
    store = DirectoryStore(database)
    baseline_db = open_database(_schema_url(server_url, schema, _NO_INDEX), migrate=False)
    baseline = DirectoryStore(baseline_db)
    picked = [rng.choice(sample) for _ in range(args.queries)]
    measure(store, kinds, picked[:20])  # warm the caches
    indexed = measure(store, kinds, picked)
    scanned = measure(baseline, kinds, picked[: args.baseline_queries])
    print()
    print(f"{'search':32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'in top 20':>9} | "
          f"{'baseline n':>10} {'p50 ms':>8} {'p95 ms':>8} {'p95 ratio':>9}")  # fmt: skip
    for name in [*kinds, FLOOR]:
        timings, share = indexed[name]
        base, _ = scanned[name]
        ratio = percentile(base, 0.95) / percentile(timings, 0.95)
        print(
            f"{name:32} {len(timings):>5} {statistics.median(timings):>8.2f} {percentile(timings, 0.95):>8.2f} "
            f"{percentile(timings, 0.99):>8.2f} {share:>9.0%} | {len(base):>10} {statistics.median(base):>8.1f} "
            f"{percentile(base, 0.95):>8.1f} {ratio:>8.0f}x"
        )
    child = sample[len(sample) // 2]
    typical = kinds["family+given+birth date"](child)
    print("\nEXPLAIN ANALYZE, family+given+birth date (indexed):")
    print(explain(database, typical))
    print("\nEXPLAIN ANALYZE, the same search with index use off (baseline):")
    print(explain(baseline_db, typical))
    print("\nEXPLAIN ANALYZE, family+given, no other criterion (indexed: the phonetic name keys):")
    print(explain(database, kinds["family+given"](child)))
    print("\nEXPLAIN ANALYZE, the same with index use off (baseline):")
    print(explain(baseline_db, kinds["family+given"](child)))
    print("\nEXPLAIN ANALYZE, NHS number (indexed):")
    print(explain(database, kinds["NHS number"](child)))
    baseline_db.dispose()
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
