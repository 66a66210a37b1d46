"""FHIR R4 JSON: the gateway's read + map of N synthetic bundles against fhir.resources parsing them alone.

Usage::

    .venv/bin/python bench/fhir_read.py                  # 500 bundles, best of 5 interleaved rounds
    .venv/bin/python bench/fhir_read.py --bundles 2000 --repeat 7
    .venv/bin/python bench/fhir_read.py --breakdown      # where the gateway's time goes

Each bundle is one synthetic child (``adapters.fhir.synthetic``): Patient, RelatedPerson, an assessment
Encounter and a child-seen visit Encounter, a CAF QuestionnaireResponse and its Consent, plus the GP
Organization (about 6 KB of JSON).

* **gateway**: ``FhirReader.read`` per bundle, every event consumed: hardened JSON load (duplicate keys,
  NaN, depth, encodings), fhir.resources R4B validation of each resource, mapping to a canonical
  ``ChildRecord`` with lineage.
* **floor**: ``fhir.resources.R4B.bundle.Bundle.model_validate_json`` of the same bytes: parsing alone,
  no mapping, no hardening.

Both run in the same process, interleaved round by round, on the same bundles; the best round of each
is reported with the ratio. Target: gateway within 1.5x of the floor.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fhir.resources.R4B.bundle import Bundle  # noqa: E402

from adapters._json import JsonProblem, load_json  # noqa: E402
from adapters.fhir.reader import FhirReader  # noqa: E402
from adapters.fhir.synthetic import synthetic_bundles  # noqa: E402
from adapters.fhir.validation import validate_bundle_shell, validate_resource  # noqa: E402
from gateway import ChildRecord, Issue, SourceFile  # noqa: E402


def _gateway(bundles: list[bytes]) -> None:
    reader = FhirReader()
    records = 0
    for index, data in enumerate(bundles):
        for event in reader.read([SourceFile(name=f"bundle-{index}.json", data=data)]):
            if isinstance(event, ChildRecord):
                records += 1
            elif isinstance(event, Issue):
                raise AssertionError(f"synthetic bundle produced an issue: {event.rule}")
    if records != len(bundles):
        raise RuntimeError(f"expected {len(bundles)} records, read {records}")


def _floor(bundles: list[bytes]) -> None:
    for data in bundles:
        Bundle.model_validate_json(data)


def _load_only(bundles: list[bytes]) -> None:
    for data in bundles:
        load_json(data)


def _load_and_validate(bundles: list[bytes]) -> None:
    for data in bundles:
        document = load_json(data)
        if isinstance(document, JsonProblem):
            raise RuntimeError(document.message)
        bundle = document.value
        validate_bundle_shell(bundle)
        for entry in bundle["entry"]:
            validate_resource(entry["resource"])


def _timed(run: Callable[[list[bytes]], None], bundles: list[bytes]) -> float:
    started = time.perf_counter()
    run(bundles)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--breakdown", action="store_true", help="also time the gateway's stages")
    args = parser.parse_args()

    bundles = list(synthetic_bundles(args.bundles))
    size = sum(len(data) for data in bundles) / len(bundles)
    runs: dict[str, Callable[[list[bytes]], None]] = {"gateway read+map": _gateway, "fhir.resources parse": _floor}
    if args.breakdown:
        runs["  hardened JSON load"] = _load_only
        runs["  load + R4B validation"] = _load_and_validate
    for run in runs.values():  # warm up: imports, caches, code tables
        run(bundles[:20])
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for name, run in runs.items():
            best[name] = min(best[name], _timed(run, bundles))

    print(f"FHIR R4 read: {args.bundles} synthetic bundles of {size / 1024:.1f} KB, best of {args.repeat} rounds")
    for name, seconds in best.items():
        per_bundle = seconds / args.bundles * 1e6
        print(f"  {name:<26} {args.bundles / seconds:>9,.0f} bundles/s  {per_bundle:>8,.0f} us/bundle")
    ratio = best["gateway read+map"] / best["fhir.resources parse"]
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    print(f"  ratio gateway / fhir.resources parse: {ratio:.2f}x ({verdict} the 1.5x target)")


if __name__ == "__main__":
    main()
