"""``ecm-gateway demo``: every bundled synthetic sample message through the gateway, end to end."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from gateway.cli.compose import build_intake
from gateway.cli.output import console, issue_table
from gateway.resources import data_dir
from gateway.settings import load_settings

__all__ = ["demo"]


def _manifest(samples: Path) -> list[dict[str, Any]]:
    with (samples / "manifest.yaml").open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    messages: list[dict[str, Any]] = document["messages"]
    return messages


def demo(
    keep: bool = typer.Option(False, "--keep", help="Keep the previous demo database instead of starting afresh."),
    show_issues: int = typer.Option(8, "--issues", help="Issues to show per message (0 for none)."),
) -> None:
    """Run the bundled synthetic sample messages (every supported format) through the gateway end to end.

    Uses the embedded default: a SQLite database under ECM_DATA_DIR/demo (default ./var/demo) and the local
    transport, so nothing else needs to be installed. All data is synthetic.

    Example: ecm-gateway demo
    """
    settings = load_settings()
    folder = settings.data_dir / "demo"
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{(folder / 'ecm-demo.sqlite3').as_posix()}"
    intake = build_intake(settings, database_url=database_url)
    samples = data_dir("samples")
    console.rule("[bold]ECM Gateway demo[/] - synthetic data only")
    console.print(f"database: {intake.store_url()}  transport: local (embedded)\n")

    summary = Table(title="What happened to each message", show_lines=False)
    for column in ("#", "format", "version", "records", "errors", "warnings", "outcome"):
        summary.add_column(column, no_wrap=True)
    outcomes: Counter[str] = Counter()
    for number, entry in enumerate(_manifest(samples), start=1):
        files = [(Path(name).name, (samples / name).read_bytes()) for name in entry["files"]]
        result = intake.submit(
            files,
            supplier_id=entry["supplier"],
            la_code=str(entry["la_code"]),
            format_id=entry.get("format"),
            message_id=f"demo-{number:03d}",
        )
        message = result.message
        outcomes[result.outcome] += 1
        style = "green" if result.outcome == "accepted" else "red"
        summary.add_row(
            str(number),
            message.envelope.format_id,
            message.envelope.format_version or "-",
            str(len(message.records)),
            str(result.error_count),
            str(result.warning_count),
            f"[{style}]{result.outcome}[/]",
        )
        console.print(f"[bold]{number}. {entry['title']}[/]  ({', '.join(entry['files'])})")
        console.print(f"   {entry['shows'].strip()}")
        console.print(
            f"   -> message {message.envelope.message_id}: [{style}]{result.outcome}[/], "
            f"{len(message.records)} child record(s), "
            f"raw payload kept (sha256 {message.envelope.payload_sha256[:12]}...)"
        )
        if show_issues and message.issues:
            console.print(issue_table(message.issues, limit=show_issues))
        console.print()
    console.print(summary)
    total = sum(outcomes.values())
    console.print(
        f"\nreceived {total} = accepted {outcomes['accepted']} + rejected {outcomes['rejected']}; "
        "every payload is kept in the message store and can be replayed."
    )
