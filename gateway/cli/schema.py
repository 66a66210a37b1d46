"""``ecm-gateway schema``: the canonical model's JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import typer

from gateway.canonical_schema import stale_schema_files, write_schemas
from gateway.cli.inputs import fail
from gateway.cli.output import console, error_console
from gateway.resources import data_dir

__all__ = ["app"]

app = typer.Typer(help="The canonical model's JSON Schemas (schemas/canonical/).", no_args_is_help=True)


def _default_folder() -> Path:
    return data_dir("schemas") / "canonical"


@app.command("export")
def export(
    folder: Path | None = typer.Option(None, "--to", help="Folder to write to (default: schemas/canonical/)."),
) -> None:
    """Write the canonical JSON Schemas generated from the model.

    Example: ecm-gateway schema export --to ./out
    """
    if folder is not None and folder.exists() and not folder.is_dir():
        raise fail(f"--to {folder} is a file: name a folder to write the schemas into")
    for path in write_schemas(folder or _default_folder()):
        console.print(f"wrote {path}")


@app.command("check")
def check(
    folder: Path | None = typer.Option(None, "--in", help="Folder to compare (default: schemas/canonical/)."),
) -> None:
    """Exit 1 if the committed JSON Schemas differ from the model (run `schema export` to refresh).

    Example: ecm-gateway schema check
    """
    if folder is not None and not folder.is_dir():
        raise fail(f"--in {folder} is not a folder: name the folder holding the schemas to compare")
    stale = stale_schema_files(folder or _default_folder())
    if stale:
        error_console.print(f"stale schema files: {', '.join(stale)}; run: ecm-gateway schema export")
        raise typer.Exit(1)
    console.print("canonical JSON Schemas match the model")
