"""``ecm-gateway review``: the review queue of possible duplicate children, for the people who decide.

``list`` shows the queue (ids, grades, weights, rules; no personal data); ``show`` opens one pair side by
side (audited); ``decide`` merges or separates (audited, reversible; a held record is released to the
directory); ``unmerge`` takes a wrongly merged record out of its child; ``reverse`` undoes a decision.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Final

import typer
from rich.table import Table

from gateway.access import Caller
from gateway.cli.broker import open_gateway
from gateway.cli.output import console, error_console
from gateway.cli.wiring import Gateway
from gateway.errors import GatewayError
from gateway.matching.decisions import ReviewStateError
from gateway.matching.desk import MIN_REASON, STATUSES, Decided, ReasonTooShort, ReviewDesk, checked_reason
from gateway.matching.pairs import PairSide, ReviewPair
from gateway.matching.record import IdentityName

__all__ = ["app"]

app = typer.Typer(
    help=(
        "The review queue of possible duplicate children: list it, open a pair side by side, decide (same child "
        "or not), unmerge, reverse. Every decision and every opened pair is audited.\n\n"
        "Example: ecm-gateway review list"
    ),
    no_args_is_help=True,
)

_BY = typer.Option(None, "--by", help="Who decides or reads (default: your login name); kept in the audit log.")
_ORG = typer.Option("gateway-operator", "--organisation", help="The organisation the person acts for.")
_REASON = typer.Option(..., "--reason", help=f"Why (at least {MIN_REASON} characters); kept in the audit log.")


def _caller(by: str | None, organisation: str) -> Caller:
    return Caller(user_id=(by or getpass.getuser()).strip()[:128] or "operator", organisation_code=organisation[:32])


def _reason(reason: str) -> str:
    try:
        return checked_reason(reason)
    except ReasonTooShort as exc:
        error_console.print(str(exc))
        raise typer.Exit(2) from exc


@contextmanager
def _desk() -> Iterator[tuple[Gateway, ReviewDesk]]:
    gateway = open_gateway()
    try:
        if gateway.resolver is None:  # pragma: no cover - build_gateway always wires resolution
            error_console.print("identity resolution is not configured")
            raise typer.Exit(2)
        yield gateway, ReviewDesk(gateway.database, gateway.resolver.queue)
    except ReviewStateError as exc:
        error_console.print(f"not done: {exc}")
        raise typer.Exit(1) from exc
    finally:
        gateway.close()


def _age(at: datetime) -> str:
    hours = (datetime.now(UTC) - at).total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


@app.command("list")
def list_reviews(
    status: str = typer.Option("open", "--status", help=f"One of: {', '.join(STATUSES)}."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Reviews to show at most."),
) -> None:
    """The review queue, oldest first: review id, grade, weight, the hard rule that limited the grade, age and
    the two record ids. No names, dates or identifiers are shown (open a pair with `review show`).

    Example: ecm-gateway review list --status open
    """
    if status not in STATUSES:
        error_console.print(f"--status must be one of: {', '.join(STATUSES)}")
        raise typer.Exit(2)
    with _desk() as (_, desk):
        reviews, _more = desk.reviews(status=status, limit=limit)
    table = Table(title=f"{len(reviews)} review(s) ({status})")
    for column in ("review", "status", "grade", "weight", "rule", "age", "record", "candidate"):
        table.add_column(column, no_wrap=column in ("review", "grade", "weight"))
    for review in reviews:
        table.add_row(
            str(review.review_id),
            review.status,
            review.grade,
            f"{review.weight:.1f}",
            review.rule or "-",
            _age(review.created_at),
            review.record_id,
            review.candidate_id,
        )
    console.print(table)


def _names(names: tuple[IdentityName, ...]) -> str:
    shown = [
        " ".join((*name.given, name.family or "")).strip() + (" (former)" if name.former else "") for name in names
    ]
    return "\n".join(shown) or "-"


def _rows(side: PairSide) -> list[str]:
    who = side.shown
    return [
        side.record_id,
        side.child_id or "- (awaiting review)",
        side.status,
        who.source or "-",
        _names(who.names),
        who.birth_date.isoformat() if who.birth_date else "-",
        who.sex or "-",
        "\n".join(f"{a.line or '-'}, {a.postcode or '-'}" for a in who.addresses) or "-",
        who.nhs_number or "-",
        "\n".join(who.upns) or "-",
        "\n".join(who.local_ids) or "-",
        _names(who.carer_names),
    ]


_LABELS: Final = (
    "record id",
    "linked to child",
    "state",
    "sent by",
    "names",
    "birth date",
    "sex",
    "addresses",
    "NHS number",
    "UPNs",
    "council child ids",
    "carers",
)


def _print_pair(pair: ReviewPair) -> None:
    console.print(
        f"[bold]review {pair.review_id}[/]: {pair.grade} match, weight {pair.weight:.1f}, {pair.status}"
        + (f" (limited by rule {pair.rule})" if pair.rule else "")
    )
    table = Table(show_lines=True)
    table.add_column("")
    table.add_column("incoming record")
    table.add_column("candidate already known")
    for label, mine, theirs in zip(_LABELS, _rows(pair.record), _rows(pair.candidate), strict=True):
        table.add_row(label, mine, theirs)
    console.print(table)
    why = Table(title="why they may be the same child (strongest evidence first)")
    for column in ("field", "comparison", "weight"):
        why.add_column(column)
    for item in pair.explanation:
        why.add_row(item.field.replace("_", " "), item.text, f"{item.weight:+.1f}")
    console.print(why)
    for decision in pair.decisions:
        console.print(
            f"decision {decision.decision_id}: {decision.action} by {decision.decided_by} "
            f"at {decision.decided_at:%Y-%m-%d %H:%M} UTC"
        )
    console.print(f"(this view is audited: entry {pair.audit_seq})")


@app.command("show")
def show(
    review_id: int = typer.Argument(..., help="The review id (from `review list`)."),
    by: str | None = _BY,
    organisation: str = _ORG,
) -> None:
    """Open one possible duplicate: the two records side by side, the grade and weight, and the per-field
    explanation.

    Shown: names (and former names), birth date, sex, first address line and postcode of each address,
    carers' names, the councils' child ids, the supplier each record came from, and the NHS number and UPN
    masked to their last four characters. Nothing else is held for matching, so nothing else is shown.
    Opening a pair is a read of personal data and is written to the audit log with --by.

    Example: ecm-gateway review show 12 --by j.smith
    """
    with _desk() as (_, desk):
        pair = desk.open(review_id, by=_caller(by, organisation), purpose="duplicate review")
    if pair is None:
        error_console.print(f"no review {review_id}")
        raise typer.Exit(1)
    _print_pair(pair)


def _published(gateway: Gateway) -> None:
    try:
        sent = gateway.relay().drain(timeout=30)
        console.print(f"published {sent} event(s)")
    except GatewayError as exc:
        console.print(f"[yellow]not published yet ({exc}); the relay will publish them from the outbox[/]")


def _print_decision(decided: Decided) -> None:
    decision = decided.decision
    before = decision.child_id_before or "none (awaiting review)"
    console.print(
        f"decision {decision.decision_id} recorded: {decision.action}; record {decision.record_id} "
        f"child {before} -> {decision.child_id_after or 'none (awaiting review)'}. "
        f"Audited; undo with: ecm-gateway review reverse {decision.decision_id} --reason ..."
    )
    for kind in decided.released:
        console.print(f"released from message {decided.held_message_id}: {kind}")


@app.command("decide")
def decide(  # noqa: PLR0917 - typer options
    review_id: int = typer.Argument(..., help="The review id (from `review list`)."),
    same: bool = typer.Option(False, "--same", help="They are the same child: merge."),
    different: bool = typer.Option(False, "--different", help="They are different children: never ask again."),
    reason: str = _REASON,
    by: str | None = _BY,
    organisation: str = _ORG,
) -> None:
    """Decide an open review: --same merges the incoming record into the candidate's child; --different
    remembers the pair so it is not asked again (and, with no other open review, the record becomes a new
    child). A record held back from the directory is released under the decided child id. The decision is
    audited (who, when, why) and can be reversed.

    Example: ecm-gateway review decide 12 --same --reason "same child: confirmed with the school" --by j.smith
    """
    if same == different:
        error_console.print("say --same or --different")
        raise typer.Exit(2)
    why = _reason(reason)
    with _desk() as (gateway, desk):
        _print_decision(desk.decide(review_id, same=same, by=_caller(by, organisation), reason=why))
        _published(gateway)


@app.command("unmerge")
def unmerge(
    record_id: str = typer.Argument(..., help="The record to take out of its child (from `review show`)."),
    reason: str = _REASON,
    by: str | None = _BY,
    organisation: str = _ORG,
) -> None:
    """Take a wrongly merged record out of its child into a new child; the pairs are remembered as different
    children. The directory is told, so it stops showing the records together. Audited and reversible.

    Example: ecm-gateway review unmerge src-4f1c... --reason "different child: birth dates confirmed" --by j.smith
    """
    why = _reason(reason)
    with _desk() as (gateway, desk):
        _print_decision(desk.unmerge(record_id, by=_caller(by, organisation), reason=why))
        _published(gateway)


@app.command("reverse")
def reverse(
    decision_id: int = typer.Argument(..., help="The decision to undo."),
    reason: str = _REASON,
    by: str | None = _BY,
    organisation: str = _ORG,
) -> None:
    """Undo a decision: a merge is unmerged, a "different" reopens its review, an unmerge links back.

    Example: ecm-gateway review reverse 7 --reason "decided on the wrong pair" --by j.smith
    """
    why = _reason(reason)
    with _desk() as (gateway, desk):
        _print_decision(desk.reverse(decision_id, by=_caller(by, organisation), reason=why))
        _published(gateway)
