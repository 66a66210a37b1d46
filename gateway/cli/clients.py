"""``ecm-gateway clients``: supplier systems allowed to call the gateway, and their credentials."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import typer
from rich.table import Table

from gateway.cli.inputs import fail, unreadable
from gateway.cli.output import console, error_console
from gateway.cli.wiring import build_audit_log, operator_caller
from gateway.errors import ConfigurationError
from gateway.security import ClientStore
from gateway.security.scopes import SCOPES, Scope
from gateway.settings import load_settings
from gateway.storage import open_database

__all__ = ["app"]

T = TypeVar("T")

_SCOPE_HELP = f"Scope to grant (repeat): {', '.join(sorted(SCOPES))}."

app = typer.Typer(help="Manage supplier clients: add, list, revoke, issue API keys, register public keys.")


def _with_store(action: Callable[[ClientStore], T]) -> T:
    """``action`` applied to the client registry (changes audited as the operating-system user), with its
    database closed afterwards."""
    settings = load_settings()
    database = open_database(settings.effective_database_url)
    store = ClientStore(database, audit=build_audit_log(settings), operator=operator_caller())
    try:
        return action(store)
    finally:
        database.dispose()


@app.command("add")
def add(
    client_id: str = typer.Argument(..., help="Client id, e.g. acme-cms."),
    name: str = typer.Option(..., "--name", help="Human-readable name."),
    supplier: str = typer.Option(..., "--supplier", help="Supplier id recorded on its messages."),
    la_codes: list[str] = typer.Option(..., "--la", help="DfE LA number it may submit for (repeat for several)."),
    scopes: list[str] = typer.Option(["submit"], "--scope", help=_SCOPE_HELP),
) -> None:
    """Register a supplier client with its councils and scopes.

    Example: ecm-gateway clients add acme-cms --name "Acme CMS" --supplier acme --la 201 --la 202 --scope submit
    """
    wrong = [code for code in la_codes if not (len(code) == 3 and code.isdigit())]
    if wrong:
        raise fail(f"--la {wrong[0]} is not a three-digit DfE LA number, e.g. 201")
    try:
        granted = cast("list[Scope]", scopes)  # checked by the registry: an unknown scope is refused
        client = _with_store(
            lambda store: store.add(client_id, name=name, supplier_id=supplier, la_codes=la_codes, scopes=granted)
        )
    except ConfigurationError as exc:
        error_console.print(str(exc))
        raise typer.Exit(2) from exc
    console.print(
        f"added {client.client_id}: LAs {', '.join(sorted(client.la_codes))}; scopes {', '.join(sorted(client.scopes))}"
    )


@app.command("list")
def list_clients() -> None:
    """List clients, their councils, scopes and status.

    Example: ecm-gateway clients list
    """
    table = Table()
    for column in ("client", "name", "supplier", "LA codes", "scopes", "status"):
        table.add_column(column)
    for client in _with_store(ClientStore.list):
        table.add_row(
            client.client_id,
            client.name,
            client.supplier_id,
            " ".join(sorted(client.la_codes)),
            " ".join(sorted(client.scopes)),
            "revoked" if client.revoked else "active",
        )
    console.print(table)


@app.command("revoke")
def revoke(client_id: str = typer.Argument(..., help="Client id to revoke.")) -> None:
    """Revoke a client and every key it holds, at once.

    Example: ecm-gateway clients revoke acme-cms
    """
    if not _with_store(lambda store: store.revoke(client_id)):
        error_console.print(f"no active client {client_id!r}")
        raise typer.Exit(1)
    console.print(f"revoked {client_id} and all its keys")


@app.command("api-key")
def api_key(client_id: str = typer.Argument(..., help="Client id to issue a key for.")) -> None:
    """Issue an API key. It is printed once; only its hash is stored.

    Example: ecm-gateway clients api-key acme-cms
    """
    try:
        issued = _with_store(lambda store: store.issue_api_key(client_id))
    except ConfigurationError as exc:
        error_console.print(str(exc))
        raise typer.Exit(2) from exc
    console.print(f"key id {issued.key_id} (store the key now; it cannot be shown again):")
    typer.echo(issued.token)


@app.command("add-key")
def add_key(
    client_id: str = typer.Argument(..., help="Client id the key belongs to."),
    kid: str = typer.Option(..., "--kid", help="Key id the client puts in its JWT header."),
    algorithm: str = typer.Option("RS256", "--alg", help="Pinned algorithm: RS256, PS256, ES256, EdDSA ..."),
    pem: Path = typer.Option(..., "--public-key", help="PEM file holding the client's PUBLIC key."),
) -> None:
    """Register a public key that verifies the client's signed-JWT assertions.

    Example: ecm-gateway clients add-key acme-cms --kid acme-2026 --alg ES256 --public-key acme.pub.pem
    """
    problem = unreadable(pem)
    if problem is not None:
        raise fail(f"--public-key: {problem}")
    try:
        public_key_pem = pem.read_text("ascii")
        _with_store(
            lambda store: store.add_public_key(client_id, kid=kid, algorithm=algorithm, public_key_pem=public_key_pem)
        )
    except UnicodeDecodeError as exc:
        raise fail(f"--public-key: {pem} is not a PEM text file (-----BEGIN PUBLIC KEY----- ...)") from exc
    except (ConfigurationError, OSError) as exc:
        error_console.print(str(exc) if isinstance(exc, ConfigurationError) else f"cannot read {pem}")
        raise typer.Exit(2) from exc
    console.print(f"registered key {kid} ({algorithm}) for {client_id}")


@app.command("revoke-key")
def revoke_key(kid: str = typer.Argument(..., help="Key id (kid) of the public key to retire.")) -> None:
    """Retire one signing key of a client (key rotation): assertions naming this kid are refused from now on.

    Register the new key with `clients add-key` first, let the supplier switch, then retire the old one.

    Example: ecm-gateway clients revoke-key acme-2025
    """
    if not _with_store(lambda store: store.revoke_public_key(kid)):
        error_console.print(f"no active public key {kid!r}")
        raise typer.Exit(1)
    console.print(f"retired key {kid}")


@app.command("revoke-api-key")
def revoke_api_key(key_id: str = typer.Argument(..., help="Key id printed when the API key was issued.")) -> None:
    """Revoke one API key (rotation: issue a new one with `clients api-key`, switch, then revoke the old).

    Example: ecm-gateway clients revoke-api-key Xy3kQ9mT2vB7nR4p
    """
    if not _with_store(lambda store: store.revoke_api_key(key_id)):
        error_console.print(f"no active API key {key_id!r}")
        raise typer.Exit(1)
    console.print(f"revoked API key {key_id}")
