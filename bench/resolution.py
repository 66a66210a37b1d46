"""What identity resolution (the pipeline's match step) costs the intake, beside the same intake without it.

    .venv/bin/python bench/resolution.py                         # SQLite, 300 children per file
    eval "$(scripts/services env)"; .venv/bin/python bench/resolution.py --postgres --children 500

One synthetic CIN census file per supplier (``adapters.cin_census.synthetic``), submitted through the composed
intake (read, map, check with profile ``ics-1b``, match, route to the outbox) on a fresh database, in three
situations: **new** (the first file: every child is new), **resend** (the same file again: every record known
and unchanged), **other supplier** (the same children from another supplier: every record matched and
linked). The baseline is the same intake with identity resolution switched off (no resolver, and the
possible-duplicate rule without its lookup: "not evaluated"), measured in the same run on another fresh
database.
Figures: child records per second (best of ``--repeat``) and the ratio with / without matching.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from adapters.cin_census.synthetic import write_file  # noqa: E402
from conformance.catalogue import Catalogue  # noqa: E402
from conformance.runner import build_check  # noqa: E402
from conformance.selection import ProfileSelection  # noqa: E402
from gateway.cli.compose import build_registry  # noqa: E402
from gateway.cli.wiring import build_gateway  # noqa: E402
from gateway.settings import load_settings  # noqa: E402

SITUATIONS = ("new", "resend", "other supplier")


@contextmanager
def _database(postgres: bool) -> Iterator[str]:
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    url = os.environ.get("ECM_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit('set ECM_TEST_POSTGRES_URL (eval "$(scripts/services env)")')
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _measure(
    postgres: bool, data: bytes, warm_up: bytes, children: int, *, matching: bool, clock: Callable[[], float]
) -> dict[str, float]:
    """Records per second in each situation, on a fresh database (after a small warm-up file of another LA,
    which loads the schemas and the rules)."""
    settings = load_settings(profile="ics-1b")
    rates: dict[str, float] = {}
    with _database(postgres) as url:
        registry = build_registry(settings)
        gateway = build_gateway(settings, registry=registry, checks=[], database_url=url)
        # profile ics-1b for every file (by default a CIN census file gets the DfE pack of its year, which the
        # synthetic files fail: a rejected message is not matched). Without matching: no resolver, and the
        # possible-duplicate rule without its lookup (it reports "not evaluated").
        profile = ProfileSelection(Catalogue.of(registry.rule_packs.values()), default="ics-1b").resolved("ics-1b")
        lookup = gateway.resolver.lookup if matching and gateway.resolver is not None else None
        checks = [build_check(profile, directory_for=lookup)]
        intake = dataclasses.replace(gateway.intake, checks=checks, resolver=gateway.resolver if matching else None)
        intake.submit([("warm-up.xml", warm_up)], supplier_id="warm-up", la_code="202", format_id="cin-census-xml")
        submit: Callable[[str], object] = lambda supplier: intake.submit(  # noqa: E731
            [("census.xml", data)], supplier_id=supplier, la_code="201", format_id="cin-census-xml"
        )
        for situation, supplier in zip(SITUATIONS, ("council", "council", "other"), strict=True):
            started = clock()
            result = submit(supplier)
            rates[situation] = children / (clock() - started)
            if getattr(result, "outcome", None) != "accepted":
                raise SystemExit("the file was rejected: a rejected message is not matched, so nothing is measured")
        gateway.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant; the best is shown")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL (ECM_TEST_POSTGRES_URL), not SQLite")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time this process's CPU, not the wall clock: steadier on a shared machine (SQLite: all work is here)",
    )
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "census.xml"
        write_file(path, args.children, seed=7)
        data = path.read_bytes()
        write_file(path, 5, seed=8, la_code="202")
        warm_up = path.read_bytes()
    best: dict[bool, dict[str, float]] = {True: {}, False: {}}
    for _ in range(args.repeat):
        for matching in (False, True):  # interleaved, so both see the same machine load
            for situation, rate in _measure(
                args.postgres, data, warm_up, args.children, matching=matching, clock=clock
            ).items():
                best[matching][situation] = max(best[matching].get(situation, 0.0), rate)
    database = "PostgreSQL" if args.postgres else "SQLite"
    timed = "CPU time of this process" if args.cpu else "wall clock"
    print(
        f"intake of a {args.children}-child CIN census file on {database}, best of {args.repeat} ({timed}): records/s"
    )
    print(f"{'situation':<16}{'with matching':>16}{'without (baseline)':>20}{'ratio':>8}{'matching ms/record':>20}")
    for situation in SITUATIONS:
        with_, without = best[True][situation], best[False][situation]
        cost = 1000 * (1 / with_ - 1 / without)  # what matching adds to each record's intake
        print(f"{situation:<16}{with_:>16.0f}{without:>20.0f}{with_ / without:>8.2f}{cost:>20.2f}")


if __name__ == "__main__":
    main()
