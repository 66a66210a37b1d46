"""The root ``ecm-gateway`` command and its sub-commands."""

from __future__ import annotations

import logging

import typer

from gateway import __version__
from gateway.cli import (
    audit,
    broker,
    check,
    clients,
    convert,
    db,
    demo,
    duplicates,
    ledger,
    plugins,
    replay,
    retention,
    review,
    rules,
    schema,
    serve,
    submit,
    workers,
)
from gateway.cli.failures import GatewayGroup
from gateway.logs import configure_logging

__all__ = ["app", "main"]

app = typer.Typer(
    name="ecm-gateway",
    help=(
        "ECM Gateway: convert council supplier formats (CIN census XML, SSDA903 CSV, FHIR R4, DfE CSC API JSON,"
        " ICS XML) into one canonical child model, check conformance, prevent duplicate children and route"
        " each message to the directory and CAF stores.\n\n"
        "Settings come from ECM_* environment variables or a .env file in the working directory (ECM_DATABASE_URL,"
        " ECM_BROKER_URL, ECM_DATA_DIR ...; the README's Settings table lists them all). With none set, everything"
        " stays in a SQLite file under ./var and nothing else needs to run.\n\n"
        "Example: ecm-gateway demo"
    ),
    cls=GatewayGroup,
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ecm-gateway {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step as JSON lines on stderr."),
) -> None:
    """ECM Gateway command line."""
    configure_logging("INFO" if verbose else "WARNING")
    if not verbose:  # the command reports a broker it cannot reach itself, in one line that says what to do
        logging.getLogger("pika").setLevel(logging.CRITICAL)


app.command("demo")(demo.demo)
app.command("submit")(submit.submit)
app.command("convert")(convert.convert)
app.command("explain")(convert.explain)
app.command("check")(check.check)
app.command("duplicates")(duplicates.duplicates)
app.command("plugins")(plugins.plugins)
app.add_typer(schema.app, name="schema")
app.add_typer(db.app, name="db")
app.add_typer(rules.app, name="rules")
app.add_typer(clients.app, name="clients")
app.add_typer(broker.app, name="broker")
app.add_typer(audit.app, name="audit")
app.command("relay")(workers.relay)
app.command("consume")(workers.consume)
app.command("worker")(workers.worker)
app.command("replay")(replay.replay)
app.command("ledger")(ledger.ledger)
app.command("serve")(serve.serve)
app.add_typer(retention.app, name="retention")
app.add_typer(review.app, name="review")


def main() -> None:
    """Console-script entry point."""
    app()
