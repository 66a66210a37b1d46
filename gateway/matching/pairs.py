"""A review put before the person deciding it: the two records side by side, audited when opened.

What a reviewer sees is the *identity projection* the matcher compared (:class:`IdentityRecord`) and no
more: names (with former names), birth date, sex, the first line and postcode of each address, carers'
names, the council's child ids, and the NHS number and UPN **masked** to their last four characters (the
explanation already says whether they agree, differ by a typing error, or are missing). No case
information exists in the match index, so none can be shown. Opening a pair is a read of personal data:
it is written to the hash-chained audit log (who, why, the review and record ids) in the same transaction,
and a read that cannot be audited is not made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, select

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.matching.comparisons import Comparison
from gateway.matching.decisions import Decision, aware
from gateway.matching.explanation import FieldExplanation, explain
from gateway.matching.model import MatchModel
from gateway.matching.record import IdentityAddress, IdentityName, IdentityRecord, identity_from_dict
from gateway.storage.database import Database
from gateway.storage.tables import match_decisions, match_identities, match_reviews

__all__ = ["MaskedIdentity", "PairSide", "ReviewPair", "held_message", "mask_identifier", "masked", "open_pair"]

VIEW_ACTION = "match.review.view"


def mask_identifier(value: str | None) -> str | None:
    """``9434765919`` -> ``******5919``: enough to tell two identifiers apart on a telephone, no more."""
    if not value:
        return None
    compact = value.replace(" ", "")
    return "*" * max(len(compact) - 4, 0) + compact[-4:]


@dataclass(frozen=True)
class MaskedIdentity:
    """Who a record says the child is, as a reviewer is shown it: the NHS number and UPNs masked."""

    names: tuple[IdentityName, ...]
    birth_date: date | None
    sex: str | None
    addresses: tuple[IdentityAddress, ...]
    nhs_number: str | None
    """Masked to its last four characters (:func:`mask_identifier`)."""
    upns: tuple[str, ...]
    """Masked to their last four characters."""
    local_ids: tuple[str, ...]
    carer_names: tuple[IdentityName, ...]
    source: str | None


def masked(identity: IdentityRecord) -> MaskedIdentity:
    """What a reviewer sees of ``identity`` (every front end shows exactly this)."""
    return MaskedIdentity(
        names=identity.names,
        birth_date=identity.birth_date,
        sex=identity.sex,
        addresses=identity.addresses,
        nhs_number=mask_identifier(identity.nhs_number),
        upns=tuple(m for m in (mask_identifier(u) for u in identity.upns) if m),
        local_ids=identity.local_ids,
        carer_names=identity.carer_names,
        source=identity.source,
    )


@dataclass(frozen=True)
class PairSide:
    """One record of the pair: who it says the child is, which child it is linked to, and its state."""

    record_id: str
    child_id: str | None
    status: str
    identity: IdentityRecord

    @property
    def shown(self) -> MaskedIdentity:
        """The identity as a reviewer may see it (identifiers masked)."""
        return masked(self.identity)


@dataclass(frozen=True)
class ReviewPair:
    """A review with both records and its per-field explanation (strongest evidence first)."""

    review_id: int
    grade: str
    weight: float
    rule: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None
    record: PairSide
    candidate: PairSide
    explanation: tuple[FieldExplanation, ...]
    decisions: tuple[Decision, ...]
    """Decisions taken on this review so far, oldest first."""
    audit_seq: int


def _side(row: Row[Any, Any, Any, Any]) -> PairSide:
    return PairSide(row.record_id, row.child_id, row.status, identity_from_dict(row.identity))


def open_pair(
    database: Database, audit: AuditLog, model: MatchModel, review_id: int, *, by: Caller, purpose: str
) -> ReviewPair | None:
    """The review ``review_id`` with both records, or ``None``; the read is audited either way."""
    with database.engine.begin() as conn:
        review = conn.execute(select(match_reviews).where(match_reviews.c.review_id == review_id)).mappings().first()
        sides: dict[str, PairSide] = {}
        if review is not None:
            ids = [review["record_id"], review["candidate_id"]]
            columns = match_identities.c
            rows = conn.execute(
                select(columns.record_id, columns.child_id, columns.status, columns.identity).where(
                    columns.record_id.in_(ids)
                )
            )
            sides = {row.record_id: _side(row) for row in rows}
        found = review is not None and len(sides) == 2
        seq = audit.append(
            conn,
            AuditEntry.by(
                by,
                VIEW_ACTION,
                purpose,
                "found" if found else "not-found",
                subject=str(review_id),
                query={"review_id": review_id},
                result_ids=list(sides),
            ),
        )
        if review is None or not found:
            return None
        decisions = conn.execute(
            select(match_decisions)
            .where(match_decisions.c.review_id == review_id)
            .order_by(match_decisions.c.decision_id)
        ).mappings()
        history = tuple(Decision(**{**row, "decided_at": aware(row["decided_at"])}) for row in decisions)
    comparison = Comparison(tuple(review["comparison"]["levels"]), tuple(review["comparison"]["notes"]))
    return ReviewPair(
        review_id=review_id,
        grade=review["grade"],
        weight=review["weight"],
        rule=review["rule"],
        status=review["status"],
        created_at=aware(review["created_at"]) or datetime.now(UTC),
        closed_at=aware(review["closed_at"]),
        record=sides[review["record_id"]],
        candidate=sides[review["candidate_id"]],
        explanation=explain(comparison, model),
        decisions=history,
        audit_seq=seq,
    )


def held_message(database: Database, record_id: str) -> str | None:
    """The accepted message a pending record is held in (released when a person links it), or ``None``."""
    with database.engine.connect() as conn:
        return conn.execute(
            select(match_identities.c.held_message_id).where(match_identities.c.record_id == record_id)
        ).scalar_one_or_none()
