"""CIN census XML: read + map + validate throughput against the floor, and peak memory on a large file.

Usage::

    .venv/bin/python bench/cin_census_read.py                      # 5,000 children, census 2024-25
    .venv/bin/python bench/cin_census_read.py --children 100000
    .venv/bin/python bench/cin_census_read.py --memory              # 100,000 children, peak RSS of a conversion
    .venv/bin/python bench/cin_census_read.py --breakdown           # where the time goes, stage by stage
    ECM_PURE_PYTHON=1 .venv/bin/python bench/cin_census_read.py     # the mapping as pure Python, not compiled

Throughput: the gateway's reader (hardened streaming parse, per-child lxml XSD validation, mapping to
canonical records with lineage, pydantic validation) against the floor — plain lxml parse of the same
file plus lxml XSD validation of the whole tree — in one run, interleaved, best of ``--repeat``. Both are
single-threaded (one core); ``--pin`` also pins the process to one CPU. The load average is printed
beside the figures: on a shared machine, ratios measured under load are worse than on a quiet one.
Targets: >= 3,000 child records/s and within 3x of the floor. The reader is timed as installed: its mapping
modules compiled by mypyc when ``scripts/bootstrap`` could build them (:mod:`adapters._native`), which the
output says; ``ECM_PURE_PYTHON=1`` times the same source uncompiled.

Memory: a subprocess converts the file (reader -> canonical JSON Lines written to /dev/null) and reports
its peak RSS (``ru_maxrss``); the baseline is a subprocess that only imports the same modules, and a
whole-tree lxml parse of the same file is shown for comparison. Target: < 300 MB.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from adapters._native import status  # noqa: E402
from adapters._xml import hardened_parser  # noqa: E402
from adapters.cin_census.mapper import HeaderFacts  # noqa: E402
from adapters.cin_census.mapping import child_data, map_child  # noqa: E402
from adapters.cin_census.reader import CinCensusReader, census_events  # noqa: E402
from adapters.cin_census.schemas import schema_for, schema_path  # noqa: E402
from adapters.cin_census.synthetic import write_file  # noqa: E402
from gateway import ChildRecord, Issue, SourceFile  # noqa: E402

CONVERT = """
import os, sys, resource, orjson
sys.path.insert(0, {root!r})
from pathlib import Path
from adapters.cin_census.reader import CinCensusReader
from gateway import ChildRecord, SourceFile
if {convert}:
    records = 0
    with open(os.devnull, "wb") as out:
        for event in CinCensusReader().read([SourceFile.from_path(Path({path!r}))]):
            if isinstance(event, ChildRecord):
                records += 1
                out.write(orjson.dumps(event.model_dump(mode="json", exclude_defaults=True)) + b"\\n")
    assert records == {children}, records
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

WHOLE_TREE = """
import sys, resource
sys.path.insert(0, {root!r})
from lxml import etree
from adapters._xml import hardened_parser
tree = etree.parse({path!r}, parser=hardened_parser())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity)"


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _timed(function: Callable[[], int]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _settler() -> tuple[Callable[[], object], str]:
    """Settle the C heap before a timed run. glibc frees the floor's ~50 MB tree only in part when the tree
    goes, and does the rest (consolidating its ~300,000 small free chunks, ~20 ms here) at the next large
    allocation, in whichever timed run comes next: in the judged figure, ours. ``malloc_trim(0)`` does that
    work untimed, for both sides. Shown for comparison only, beside each side timed right after itself (the
    floor then reuses its own freed tree and is faster still): where each run starts from moves the ratio
    both ways, and the judged figure keeps the method of sessions 1-4."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return (lambda: None), "not settled (no malloc_trim here)"
    return (lambda: trim(0)), "settled before each timed run (malloc_trim, untimed, both sides)"


def throughput(path: Path, year: int, children: int, repeat: int) -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_path(year)), parser=hardened_parser()))

    def floor() -> int:
        tree = etree.parse(str(path), parser=hardened_parser())
        if not schema.validate(tree):
            raise SystemExit("the generated file is not schema-valid")
        return children

    def ours() -> int:
        records = issues = 0
        for event in CinCensusReader().read([SourceFile.from_path(path)]):
            if isinstance(event, ChildRecord):
                records += 1
            elif isinstance(event, Issue):
                issues += 1
        if issues or records != children:
            raise SystemExit(f"unexpected result: {records} records, {issues} issues")
        return records

    ours()  # warm up: schemas loaded, caches filled
    floor_s = ours_s = float("inf")
    for _ in range(repeat):  # interleaved, so both see the same machine
        floor_s = min(floor_s, _timed(floor))
        ours_s = min(ours_s, _timed(ours))
    settle, settled = _settler()
    settled_floor_s = settled_ours_s = float("inf")
    for _ in range(repeat):  # the same, each run starting from a settled C heap (see _settler)
        settle()
        settled_floor_s = min(settled_floor_s, _timed(floor))
        settle()
        settled_ours_s = min(settled_ours_s, _timed(ours))
    again_floor_s = again_ours_s = float("inf")
    for _ in range(repeat):  # and each side timed right after a run of itself
        floor()
        again_floor_s = min(again_floor_s, _timed(floor))
        ours()
        again_ours_s = min(again_ours_s, _timed(ours))
    print(f"file: {path.name}, {children:,} children, {path.stat().st_size / 1e6:.1f} MB, best of {repeat}")
    print(f"the reader's mapping runs {status()}")
    print(f"load average (1, 5, 15 min) after the runs: {_load()}  (the machine's cores are shared)")
    print(f"floor  lxml parse + lxml XSD validation : {floor_s:7.3f} s  {children / floor_s:10,.0f} children/s")
    print(f"ours   read + map + validate (lineage)  : {ours_s:7.3f} s  {children / ours_s:10,.0f} children/s")
    print("  for comparison, the same runs starting from another state (see BENCHMARKS.md):")
    print(
        f"    C heap {settled}: floor {settled_floor_s:.3f} s, ours {settled_ours_s:.3f} s, "
        f"ratio {settled_ours_s / settled_floor_s:.2f}x"
    )
    print(
        f"    each side right after a run of itself: floor {again_floor_s:.3f} s, ours {again_ours_s:.3f} s, "
        f"ratio {again_ours_s / again_floor_s:.2f}x"
    )
    ratio = ours_s / floor_s
    print(f"ratio ours/floor: {ratio:.2f}x  (target <= 3x: {'met' if ratio <= 3 else 'NOT met'})")
    rate = children / ours_s
    print(f"throughput: {rate:,.0f} child records/s  (target >= 3,000: {'met' if rate >= 3000 else 'NOT met'})")


def breakdown(path: Path, year: int, children: int, repeat: int) -> None:
    """Cumulative stages of the reader's work per child, each timed on its own over the same file."""
    schema = schema_for(year)
    facts = HeaderFacts(path.name, "201", 11, "/Message/Header/Source[1]/LEA")

    def stage(work: Callable[[object, int], object]) -> Callable[[], int]:
        def run() -> int:
            count = 0
            with path.open("rb") as stream:
                for event, element in census_events(stream):
                    if event == "end" and element.tag == "Child":
                        count += 1
                        work(element, count)
                        element.clear(keep_tail=True)
                        while element.getprevious() is not None:
                            del element.getparent()[0]
            return count

        return run

    stages = {
        "streaming parse (hardened, skeleton events, data only)": stage(lambda element, n: None),
        "+ per-child lxml XSD validation": stage(lambda element, n: schema.validator.validate(element)),
        "+ mapping to plain data with lineage": stage(
            lambda element, n: (schema.validator.validate(element), child_data(element, schema, facts, n))
        ),
        "+ pydantic ChildRecord": stage(
            lambda element, n: (schema.validator.validate(element), map_child(element, schema, facts, n))
        ),
    }
    stages["the reader (+ size check, skeleton, events)"] = lambda: sum(
        1 for event in CinCensusReader().read([SourceFile.from_path(path)]) if isinstance(event, ChildRecord)
    )
    best = {name: float("inf") for name in stages}
    for _ in range(repeat):
        for name, run in stages.items():
            best[name] = min(best[name], _timed(run))
    print(f"per child, best of {repeat}, {children:,} children:")
    for name, seconds in best.items():
        print(f"  {name:45s} {seconds / children * 1e6:7.1f} us")


def _peak_rss_mb(script: str) -> float:
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return int(output.stdout.strip().splitlines()[-1]) / 1024  # Linux: kilobytes


def memory(path: Path, children: int) -> None:
    common = {"root": str(ROOT), "path": str(path), "children": children}
    baseline = _peak_rss_mb(CONVERT.format(convert=False, **common))
    start = time.perf_counter()
    converted = _peak_rss_mb(CONVERT.format(convert=True, **common))
    elapsed = time.perf_counter() - start
    whole = _peak_rss_mb(WHOLE_TREE.format(**common))
    print(f"file: {path.name}, {children:,} children, {path.stat().st_size / 1e6:.1f} MB")
    print(f"baseline (imports only)                 : {baseline:7.1f} MB peak RSS")
    print(f"ours: convert to canonical JSON Lines   : {converted:7.1f} MB peak RSS  ({elapsed:.1f} s)")
    print(f"comparison: whole-tree lxml parse       : {whole:7.1f} MB peak RSS")
    print(f"target < 300 MB: {'met' if converted < 300 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--children", type=int, default=None, help="default 5,000 (100,000 with --memory)")
    parser.add_argument("--year", type=int, default=2025, help="census end year (2025 = 2024-25)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="peak RSS of converting the file in a subprocess")
    parser.add_argument("--file", type=Path, help="use this CIN census file instead of generating one")
    parser.add_argument("--pin", action="store_true", help="pin the process to one CPU")
    parser.add_argument("--breakdown", action="store_true", help="also time the reader's stages one by one")
    args = parser.parse_args()
    children = args.children or (100_000 if args.memory else 5_000)
    if args.pin:
        print(_pin_one_core())
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / f"cin-{args.year}-{children}.xml"
        if args.file is None:
            start = time.perf_counter()
            write_file(path, children, year=args.year, seed=1)
            print(f"generated {children:,} synthetic children in {time.perf_counter() - start:.1f} s")
        if args.memory:
            memory(path, children)
        else:
            throughput(path, args.year, children, args.repeat)
            if args.breakdown:
                breakdown(path, args.year, children, args.repeat)
    print(f"bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
