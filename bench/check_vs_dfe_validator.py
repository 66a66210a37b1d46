"""``ecm-gateway check`` against the community DfE CIN validator, and what rule checking adds to reading.

Usage::

    .venv/bin/python bench/check_vs_dfe_validator.py                  # 10,000 children, census 2024-25
    .venv/bin/python bench/check_vs_dfe_validator.py --children 2000 --skip-validator

1. Whole process, same file, one run: ``ecm-gateway check FILE --profile cin-census-2024-25 --format json``
   against ``python -m cin_validator run FILE -r cin2024_25 -o`` (csc-validator-be-cin 0.1.13, the community
   validator of DfE's CIN census rules) on one generated 10,000-child census 2024-25 file. Wall-clock and CPU
   seconds of each child process (CPU time is steadier on a shared machine). Target: ours >= 20x faster.
2. In process: the CIN census reader streaming the file (read + map, records dropped) against reading and
   checking every record against the same profile (``conformance.runner.check_submission``), CPU time,
   interleaved, best of ``--repeat``. Target: rule checking adds <= 50% to read + map.

The validator runs in its own virtual environment (it pins pandas < 2, which needs numpy < 2): ``--validator-
python`` names its interpreter; by default ``bench/.venv-cin`` is used, created on first use with
``pip install csc-validator-be-cin==0.1.13 'numpy<2' pytest``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.cin_census import CinCensusReader  # noqa: E402
from adapters.cin_census.synthetic import write_file  # noqa: E402
from conformance.catalogue import builtin_catalogue  # noqa: E402
from conformance.profile import load_profile  # noqa: E402
from conformance.runner import check_submission  # noqa: E402
from gateway import ChildRecord, SourceFile  # noqa: E402

PROFILE = "cin-census-2024-25"
VALIDATOR = "csc-validator-be-cin==0.1.13"
DEFAULT_VENV = ROOT / "bench" / ".venv-cin"


def _validator_python(given: str | None) -> Path:
    if given:
        return Path(given)
    python = DEFAULT_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DEFAULT_VENV} with {VALIDATOR} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DEFAULT_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", VALIDATOR, "numpy<2", "pytest"], check=True)
    return python


def _run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and exit status of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode not in (0, 1):
        print(completed.stderr.decode("utf-8", "replace")[-2000:], file=sys.stderr)
    return wall, cpu, completed.returncode


def _cpu(function: Callable[[], object]) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def whole_process(path: Path, work: Path, validator_python: Path | None) -> None:
    ours_command = [
        str(ROOT / ".venv" / "bin" / "ecm-gateway"), "check", str(path),
        "--profile", PROFILE, "--format", "json", "--output", str(work / "ours.json"),
    ]  # fmt: skip
    ours_wall, ours_cpu, ours_status = _run(ours_command, work)
    print(f"ecm-gateway check (whole process):   {ours_wall:8.1f} s wall  {ours_cpu:8.1f} s CPU  exit {ours_status}")
    if validator_python is None:
        return
    theirs_command = [str(validator_python), "-m", "cin_validator", "run", str(path), "-r", "cin2024_25", "-o"]
    theirs_wall, theirs_cpu, theirs_status = _run(theirs_command, work)
    print(
        f"DfE validator {VALIDATOR} (whole process): {theirs_wall:8.1f} s wall  {theirs_cpu:8.1f} s CPU  "
        f"exit {theirs_status}"
    )
    print(
        f"=> ecm-gateway check is {theirs_wall / ours_wall:.1f}x faster (wall), {theirs_cpu / ours_cpu:.1f}x "
        f"(CPU); target >= 20x"
    )


def rule_overhead(path: Path, repeat: int) -> None:
    source = SourceFile.from_path(path)
    resolved = load_profile(PROFILE).resolve(builtin_catalogue())
    rules = len(resolved.active)

    def read_only() -> int:
        return sum(1 for event in CinCensusReader().read([source]) if isinstance(event, ChildRecord))

    def read_and_check() -> int:
        return check_submission([source], CinCensusReader(), resolved, today=date(2025, 6, 30)).records

    read_and_check()  # warm the imports and caches of both paths
    reads, checks = [], []
    for _ in range(repeat):
        reads.append(_cpu(read_only))
        checks.append(_cpu(read_and_check))
    read, checked = min(reads), min(checks)
    print(f"read + map (CIN census reader, streaming):          {read:6.2f} s CPU (best of {repeat})")
    print(f"read + map + {rules} rules of {PROFILE}:   {checked:6.2f} s CPU (best of {repeat})")
    print(f"=> rule checking adds {(checked - read) / read:.0%} to read + map; target <= 50%")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--validator-python", help="interpreter of a venv with csc-validator-be-cin installed")
    parser.add_argument("--skip-validator", action="store_true", help="only our figures (no comparison)")
    parser.add_argument(
        "--errors", type=float, default=0.02, help="share of children given one deliberate DfE rule violation"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ecm-check-bench-") as folder:
        work = Path(folder)
        path = work / "cin-2024-25.xml"
        injected = write_file(path, args.children, year=2025, seed=1, errors=args.errors)
        print(f"file: {args.children:,} synthetic children, census 2024-25, {path.stat().st_size / 1e6:.1f} MB")
        print(f"deliberate DfE rule violations: {len(injected):,} children (--errors {args.errors})")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        validator = None if args.skip_validator else _validator_python(args.validator_python)
        whole_process(path, work, validator)
        rule_overhead(path, args.repeat)


if __name__ == "__main__":
    main()
