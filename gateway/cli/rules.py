"""``ecm-gateway rules``: the rule catalogue, and one rule's documentation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from gateway.cli.compose import build_registry
from gateway.cli.output import console, error_console
from gateway.errors import ConfigurationError
from gateway.settings import load_settings

if TYPE_CHECKING:
    from conformance.catalogue import Catalogue

__all__ = ["app"]

app = typer.Typer(
    help=(
        "The conformance rule catalogue: every pack and rule, or a profile's rules with their severities.\n\n"
        "Example: ecm-gateway rules --profile ics-1c"
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)


def _catalogue() -> Catalogue:
    from conformance.catalogue import Catalogue  # noqa: PLC0415 - the CLI is a composition root; imported on use

    return Catalogue.of(build_registry(load_settings()).rule_packs.values())


@app.callback()
def catalogue(
    context: typer.Context,
    profile: str | None = typer.Option(None, "--profile", "-p", help="Show this profile's rules and severities."),
) -> None:
    """Print the rule catalogue: every pack and its rules, or the rules a profile runs with their severities.

    Example: ecm-gateway rules --profile cin-census-2024-25
    """
    if context.invoked_subcommand is not None:
        return
    from conformance.profile import load_profile  # noqa: PLC0415

    catalogue = _catalogue()
    if profile is not None:
        try:
            resolved = load_profile(profile).resolve(catalogue)
        except ConfigurationError as exc:
            error_console.print(str(exc))
            raise typer.Exit(2) from exc
        table = Table(title=f"profile {resolved.profile.id}: {resolved.profile.title}")
        for column in ("rule", "severity", "pack", "message"):
            table.add_column(column, overflow="fold")
        for active in resolved.active:
            severity = active.severity + (" (override)" if active.override_reason else "")
            table.add_row(active.rule.id, severity, active.rule.pack, escape(active.rule.message))
        for rule, _override in resolved.disabled:
            table.add_row(rule.id, "disabled", rule.pack, escape(rule.message))
        console.print(table)
        console.print(f"{len(resolved.active)} rule(s) active, {len(resolved.disabled)} disabled")
        return
    for pack_id in sorted(catalogue.packs):
        pack = catalogue.packs[pack_id]
        effective = catalogue.rules(pack_id)
        base = f" - extends {pack.base}" if pack.base else ""
        table = Table(title=f"{pack.id}: {pack.title} ({len(effective)} rules{base})")
        for column in ("rule", "strength", "message"):
            table.add_column(column, overflow="fold")
        own = pack.own_rules()
        for rule in own:
            table.add_row(rule.id, rule.strength, escape(rule.message))
        if pack.deleted:
            table.add_row("deleted: " + ", ".join(pack.deleted), "", "")
        if not own:
            table.add_row("(no changes)", "", "")
        console.print(table)


@app.command("show")
def show(
    rule_id: str = typer.Argument(..., help="The rule's id, e.g. ics-1b/assessment-child-seen or cin/8608."),
) -> None:
    """Print a rule's documentation: what it checks, why, how to fix a failure, and its examples.

    Example: ecm-gateway rules show ics-1b/assessment-child-seen
    """
    from conformance.examples import run_example  # noqa: PLC0415

    catalogue = _catalogue()
    versions = catalogue.find(rule_id)
    if not versions:
        error_console.print(f"no rule {rule_id!r}; `ecm-gateway rules` lists them")
        raise typer.Exit(2)
    for rule in versions:
        console.rule(f"[bold]{escape(rule.id)}[/]  ({rule.pack}, {rule.strength})")
        console.print(f"[bold]Message:[/] {escape(rule.message)}")
        console.print(f"[bold]Reads:[/] {', '.join(rule.fields)}")
        console.print(f"[bold]What it checks:[/] {escape(rule.doc.checks)}")
        console.print(f"[bold]Why:[/] {escape(rule.doc.why)}")
        console.print(f"[bold]How to fix:[/] {escape(rule.doc.fix)}")
        console.print("[bold]Examples:[/]")
        for example in rule.examples:
            expected = "passes" if example.passing else "not evaluated" if example.not_evaluated else "fails"
            result = run_example(rule, example, catalogue.parameters(rule.pack))
            verified = "ok" if result.matches(example) else "DOES NOT HOLD"
            console.print(f"  - {escape(example.name)}: {expected} ({verified})")
