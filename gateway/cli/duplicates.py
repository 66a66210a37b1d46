"""``ecm-gateway duplicates``: likely duplicate children inside and across files of any supported format."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
from rich.table import Table

from gateway.cli.compose import build_registry
from gateway.cli.inputs import check_output, choose_reader, fail, read_sources, unreadable
from gateway.cli.output import console, working
from gateway.matching import (
    GRADES,
    IdentityRecord,
    Matcher,
    MatchResult,
    Thresholds,
    estimate_model,
    find_duplicates,
    identity_from_child_record,
    load_model,
)
from gateway.model import ChildRecord, Issue
from gateway.settings import load_settings

__all__ = ["duplicates"]

_MIN_RECORDS_TO_ESTIMATE = 1000
_COLUMNS = ("record_a", "local_ids_a", "record_b", "local_ids_b", "grade", "weight", "rule", "explanation")


def _read(paths: Sequence[Path], input_format: str | None) -> tuple[list[IdentityRecord], int]:
    registry = build_registry(load_settings())
    records: list[IdentityRecord] = []
    problems = 0
    for source in read_sources(paths):
        reader = choose_reader(registry, [source], input_format, option="--format")
        number = 0
        for event in reader.read([source]):
            if isinstance(event, ChildRecord):
                number += 1
                record_id = f"{source.name}#{number}"
                records.append(identity_from_child_record(event, record_id, source=source.name))
            elif isinstance(event, Issue) and event.severity == "error":
                problems += 1
    return records, problems


def _rows(results: Sequence[MatchResult], by_id: dict[str, IdentityRecord]) -> list[dict[str, str]]:
    return [
        {
            "record_a": r.candidate_id,
            "local_ids_a": " ".join(by_id[r.candidate_id].local_ids),
            "record_b": r.record_id,
            "local_ids_b": " ".join(by_id[r.record_id].local_ids),
            "grade": r.grade or "",
            "weight": f"{r.weight:.1f}",
            "rule": r.rule or "",
            "explanation": r.explanation_text(),
        }
        for r in results
    ]


def _write(output: Path, rows: list[dict[str, str]]) -> None:
    if output.suffix.lower() == ".json":
        output.write_bytes(orjson.dumps({"pairs": rows}, option=orjson.OPT_INDENT_2))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    output.write_text(buffer.getvalue(), encoding="utf-8")


def duplicates(  # noqa: PLR0917 - typer options
    files: list[Path] = typer.Argument(..., help="Files to search, in any supported format (mixed formats are fine)."),
    input_format: str | None = typer.Option(
        None, "--format", "-f", help="Format id of every file (e.g. person-csv); detected per file if omitted."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write every pair to this file: JSON when its name ends in .json, CSV otherwise."
    ),
    min_grade: str = typer.Option("possible", "--min-grade", help="Report pairs at least this grade."),
    model_path: Path | None = typer.Option(None, "--model", help="Match model YAML (m and u); built-in if omitted."),
    estimate: bool = typer.Option(
        False, "--estimate", help="Estimate m and u from these files by EM first (1,000 records or more)."
    ),
    show: int = typer.Option(20, "--show", min=0, help="Pairs to print (best first); all go to --output."),
) -> None:
    """Find likely duplicate children inside and across files, with grade, weight and explanation per pair.

    Grades as FHIR $match: certain (an identifier agrees and the weight is high), probable, possible. Two
    different valid NHS numbers are never the same child; possible twins are never above possible.
    Exit status: 0 done (whether or not duplicates were found), 2 files unreadable or arguments wrong.

    Example: ecm-gateway duplicates children.jsonl extract.csv --output pairs.csv
    """
    if min_grade not in GRADES:
        raise fail(f"--min-grade must be one of {', '.join(GRADES)}")
    check_output(output)
    if model_path is not None and (problem := unreadable(model_path)) is not None:
        raise fail(f"--model: {problem}")
    records, problems = _read(files, input_format)
    model = load_model(model_path)
    if estimate:
        if len(records) < _MIN_RECORDS_TO_ESTIMATE:
            raise fail(f"--estimate needs at least {_MIN_RECORDS_TO_ESTIMATE} records; use the built-in model")
        probe = Matcher(model=model)
        model = estimate_model([probe.prepare(r) for r in records], model, note="EM on the files searched")
    matcher = Matcher(model=model, thresholds=Thresholds())
    wanted = set(GRADES[: GRADES.index(min_grade) + 1])
    results: list[MatchResult] = []
    with working(
        TextColumn("[bold]matching"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("record(s)"),
    ) as progress:
        task = progress.add_task("matching", total=len(records))
        for result in find_duplicates(records, matcher, on_record=lambda: progress.advance(task)):
            if result.grade in wanted:
                results.append(result)
    results.sort(key=lambda r: (GRADES.index(r.grade or "possible"), -r.weight, r.record_id))
    by_id = {r.record_id: r for r in records}
    rows = _rows(results, by_id)
    counts = Counter(r.grade for r in results)
    summary = ", ".join(f"{counts.get(g, 0)} {g}" for g in GRADES if g in wanted)
    console.print(f"{len(records)} record(s) in {len(files)} file(s); pairs: {summary}")
    if problems:
        console.print(f"{problems} error(s) while reading; records with errors may be missing (`ecm-gateway check`)")
    if rows and show > 0:
        table = Table("record", "record", "grade", "weight", "explanation", show_lines=False)
        for row in rows[:show]:
            table.add_row(row["record_a"], row["record_b"], row["grade"], row["weight"], row["explanation"])
        console.print(table)
        if len(rows) > show:
            console.print(f"... and {len(rows) - show} more pair(s)")
    if output is not None:
        _write(output, rows)
        console.print(f"{len(rows)} pair(s) written to {output}")
