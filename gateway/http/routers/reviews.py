"""The duplicate-review API: councils' own systems list, open and decide possible duplicate children.

The same review desk as ``ecm-gateway review`` (:class:`gateway.matching.desk.ReviewDesk`), so both front ends
show the same masked pair, need the same reason and release a held record the same way. Every route needs
the ``review:duplicates`` scope (and, when the token names roles, the ``duplicates.review`` role). A caller
sees only reviews whose incoming record belongs to one of its councils; any other answers 404 exactly like
a review that does not exist. Opening a pair is audited as a read (who, organisation, purpose). Decisions,
unmerges and reversals are a person's judgement: they need a named user (the token's ``act.sub``), never a
system acting as itself, and are written to the decision log and the audit log with that user and the
client's organisation. Held records released by a decision leave through the outbox, like every event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Final, Literal, cast

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from gateway.access import DUPLICATES_REVIEW, Purpose
from gateway.http.dependencies import PrincipalDep, service
from gateway.http.openapi import errors
from gateway.http.text import printable, printable_json_body
from gateway.matching.decisions import ReviewStateError
from gateway.matching.desk import MIN_REASON, Decided, ReasonTooShort, ReviewDesk, ReviewNotFound, ReviewSummary
from gateway.matching.pairs import PairSide, ReviewPair
from gateway.matching.record import IdentityName
from gateway.security import Forbidden, Principal

__all__ = [
    "AddressView",
    "DecisionRequest",
    "DecisionResponse",
    "ExplanationItem",
    "NameView",
    "ReasonRequest",
    "RecordView",
    "ReviewDetail",
    "ReviewItem",
    "ReviewList",
    "router",
]

_MAX_ID: Final = 2_147_483_647
_NOT_FOUND: Final = "not found"
_NAMED_PERSON: Final = (
    "a decision on a possible duplicate is a person's judgement: the token must name the person deciding "
    "(act.sub); an API key or a system acting as itself cannot decide"
)


def _reviewer(principal: PrincipalDep) -> Principal:
    """The principal, when it holds the ``review:duplicates`` scope and (if roles are named) the review role."""
    principal.require("review:duplicates")
    if DUPLICATES_REVIEW not in principal.roles:
        raise Forbidden(f"the acting user's roles do not include {DUPLICATES_REVIEW!r}")
    return principal


ReviewerDep = Annotated[Principal, Depends(_reviewer)]


def _decider(principal: ReviewerDep) -> Principal:
    """The principal, when a named person acts through it (403 otherwise)."""
    if principal.actor is None:
        raise Forbidden(_NAMED_PERSON)
    return principal


DeciderDep = Annotated[Principal, Depends(_decider)]


def review_desk(request: Request) -> ReviewDesk:
    """The review desk the app's lifespan built."""
    return cast(ReviewDesk, service(request, "review_desk"))


DeskDep = Annotated[ReviewDesk, Depends(review_desk)]

router = APIRouter(prefix="/v1", tags=["reviews"], dependencies=[Depends(_reviewer), Depends(printable_json_body)])

ReviewId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The review id (from the list).")]
DecisionId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The decision id (from a decision's answer).")]
RecordId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$", description="A record id (from a review).")
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_REASON, max_length=500), AfterValidator(printable)
]
"""Free text, trimmed, printable (:mod:`gateway.http.text`), of at least :data:`MIN_REASON` characters."""


class ReviewItem(BaseModel):
    """A review in the queue: ids, grade and state (no personal data)."""

    review_id: int
    status: str
    grade: str
    weight: float
    rule: str | None = Field(description="The hard rule that limited the grade, if any.")
    created_at: datetime
    closed_at: datetime | None
    record_id: str = Field(description="The incoming record (held back from the directory while open).")
    candidate_id: str = Field(description="The record already known that it may duplicate.")


class ReviewList(BaseModel):
    reviews: list[ReviewItem]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last page.")


class NameView(BaseModel):
    given: list[str]
    family: str | None
    former: bool


class AddressView(BaseModel):
    line: str | None = Field(description="The first line of the address.")
    postcode: str | None


class RecordView(BaseModel):
    """One record of the pair, as the matcher compared it; NHS number and UPNs masked to their last four."""

    record_id: str
    child_id: str | None = Field(description="The gateway child it is linked to; null while awaiting review.")
    state: str
    sent_by: str | None
    names: list[NameView]
    birth_date: date | None
    sex: str | None
    addresses: list[AddressView]
    nhs_number: str | None = Field(description="Masked: `******5919`.")
    upns: list[str] = Field(description="Masked to their last four characters.")
    council_child_ids: list[str] = Field(description="`<LA number>:<LA child id>`, to find the record at home.")
    carers: list[NameView]


class ExplanationItem(BaseModel):
    field: str
    comparison: str
    weight: float


class DecisionSummary(BaseModel):
    decision_id: int
    action: str
    decided_by: str
    decided_at: datetime


class ReviewDetail(BaseModel):
    """A possible duplicate: the incoming (held) record beside the candidate, grade, weight and explanation."""

    review_id: int
    status: str
    grade: str
    weight: float
    rule: str | None
    created_at: datetime
    closed_at: datetime | None
    record: RecordView
    candidate: RecordView
    explanation: list[ExplanationItem] = Field(description="Per field, strongest evidence first.")
    decisions: list[DecisionSummary]
    other_open_reviews: list[int] = Field(description="Open reviews of the same record against other children.")
    audit_seq: int = Field(description="The audit entry recording this read.")


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "different"] = Field(
        description="`same`: merge the record into the candidate's child; `different`: never ask again."
    )
    reason: Reason = Field(description=f"Why (at least {MIN_REASON} characters); kept with the decision.")


class ReasonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description=f"Why (at least {MIN_REASON} characters); kept with the decision.")


class DecisionResponse(BaseModel):
    """The recorded decision (reverse it with ``POST /v1/decisions/{decision_id}/reverse``)."""

    decision_id: int
    action: str
    record_id: str
    other_id: str | None
    review_id: int | None
    child_id_before: str | None
    child_id_after: str | None
    reverses: int | None
    decided_by: str
    decided_at: datetime
    released_from: str | None = Field(description="The message the held record was released from, if any.")
    released_events: list[str] = Field(description="Kinds of the events the released record sent (outbox).")


def _item(review: ReviewSummary) -> ReviewItem:
    return ReviewItem(
        review_id=review.review_id, status=review.status, grade=review.grade, weight=review.weight,
        rule=review.rule, created_at=review.created_at, closed_at=review.closed_at, record_id=review.record_id,
        candidate_id=review.candidate_id,
    )  # fmt: skip


def _names(names: tuple[IdentityName, ...]) -> list[NameView]:
    return [NameView(given=list(name.given), family=name.family, former=name.former) for name in names]


def _record(side: PairSide) -> RecordView:
    shown = side.shown
    return RecordView(
        record_id=side.record_id, child_id=side.child_id, state=side.status, sent_by=shown.source,
        names=_names(shown.names), birth_date=shown.birth_date, sex=shown.sex,
        addresses=[AddressView(line=a.line, postcode=a.postcode) for a in shown.addresses],
        nhs_number=shown.nhs_number, upns=list(shown.upns), council_child_ids=list(shown.local_ids),
        carers=_names(shown.carer_names),
    )  # fmt: skip


def _detail(pair: ReviewPair, others: list[int]) -> ReviewDetail:
    return ReviewDetail(
        review_id=pair.review_id, status=pair.status, grade=pair.grade, weight=pair.weight, rule=pair.rule,
        created_at=pair.created_at, closed_at=pair.closed_at, record=_record(pair.record),
        candidate=_record(pair.candidate),
        explanation=[
            ExplanationItem(field=item.field.replace("_", " "), comparison=item.text, weight=item.weight)
            for item in pair.explanation
        ],
        decisions=[
            DecisionSummary(
                decision_id=d.decision_id, action=d.action, decided_by=d.decided_by, decided_at=d.decided_at
            )
            for d in pair.decisions
        ],
        other_open_reviews=others, audit_seq=pair.audit_seq,
    )  # fmt: skip


def _decided(act: Callable[[], Decided]) -> DecisionResponse:
    """Run a decision; 404 for what the caller may not see, 409 when it does not fit the current state."""
    try:
        decided = act()
    except ReviewNotFound:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND) from None
    except ReviewStateError as exc:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=f"not done: {exc}") from None
    except ReasonTooShort as exc:  # pragma: no cover - the request model checks the reason first (defence in depth)
        raise HTTPException(status_code=422, detail=str(exc)) from None
    d = decided.decision
    return DecisionResponse(
        decision_id=d.decision_id, action=d.action, record_id=d.record_id, other_id=d.other_id,
        review_id=d.review_id, child_id_before=d.child_id_before, child_id_after=d.child_id_after,
        reverses=d.reverses, decided_by=d.decided_by, decided_at=d.decided_at,
        released_from=decided.held_message_id if decided.released else None,
        released_events=list(decided.released),
    )  # fmt: skip


@router.get("/reviews", response_model=ReviewList)
def list_reviews(
    principal: ReviewerDep,
    desk: DeskDep,
    review_status: Annotated[
        Literal["open", "same", "not-same", "superseded", "all"],
        Query(alias="status", description="Reviews in this state."),
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=500, description="Reviews in one page at most.")] = 50,
    after: Annotated[int, Query(ge=0, le=_MAX_ID, description="Reviews after this review id (paging).")] = 0,
) -> ReviewList:
    """Reviews of possible duplicates whose incoming record belongs to one of your councils, oldest first."""
    page, next_after = desk.reviews(status=review_status, limit=limit, after=after, councils=principal.la_codes)
    return ReviewList(reviews=[_item(review) for review in page], next_after=next_after)


@router.get("/reviews/{review_id}", response_model=ReviewDetail, responses=errors(404))
def open_review(
    review_id: ReviewId,
    principal: ReviewerDep,
    desk: DeskDep,
    purpose: Annotated[Purpose, Query(description="Why you are looking (recorded in the audit log).")] = (
        "duplicate-check"
    ),
) -> ReviewDetail:
    """The two records side by side (identifiers masked), grade, weight and explanation. Audited as a read."""
    pair = desk.open(review_id, by=principal.caller(), purpose=purpose, councils=principal.la_codes)
    if pair is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return _detail(pair, desk.other_open_reviews(pair.record.record_id, review_id))


@router.post("/reviews/{review_id}/decision", response_model=DecisionResponse, responses=errors(404, 409))
def decide(review_id: ReviewId, request: DecisionRequest, principal: DeciderDep, desk: DeskDep) -> DecisionResponse:
    """Decide an open review: the same child (merge; a held record is released under that child) or
    different children (remembered; with no other open review the record becomes a new child)."""
    same = request.decision == "same"
    caller, councils = principal.caller(), principal.la_codes
    return _decided(lambda: desk.decide(review_id, same=same, by=caller, reason=request.reason, councils=councils))


@router.post("/records/{record_id}/unmerge", response_model=DecisionResponse, responses=errors(404, 409))
def unmerge(record_id: RecordId, request: ReasonRequest, principal: DeciderDep, desk: DeskDep) -> DecisionResponse:
    """Take a wrongly merged record out of its child into a new child (the directory is told)."""
    caller, councils = principal.caller(), principal.la_codes
    return _decided(lambda: desk.unmerge(record_id, by=caller, reason=request.reason, councils=councils))


@router.post("/decisions/{decision_id}/reverse", response_model=DecisionResponse, responses=errors(404, 409))
def reverse(decision_id: DecisionId, request: ReasonRequest, principal: DeciderDep, desk: DeskDep) -> DecisionResponse:
    """Undo a decision: a merge is unmerged, a "different" reopens its review, an unmerge links back."""
    caller, councils = principal.caller(), principal.la_codes
    return _decided(lambda: desk.reverse(decision_id, by=caller, reason=request.reason, councils=councils))
