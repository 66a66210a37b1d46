"""Messages: submit a supplier's files (``POST /v1/messages``) and follow one (``GET /v1/messages/{id}``).

The body is the file itself (its content type names or hints at the format) or, for a submission of
several files (an SSDA903 return), ``multipart/form-data`` with one part per file. ``format`` names the
format when the content type cannot (``cin-census-xml`` and ``ics-xml`` are both XML); otherwise it is
detected from the content. ``Prefer: respond-async``, or a body over the async threshold, answers 202 at
once with the status URL; the rest is done in the background.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gateway.audit import AuditLog
from gateway.http.bodies import SUBMISSION_BODY, read_submission
from gateway.http.dependencies import require, service
from gateway.http.openapi import ErrorBody, errors
from gateway.http.status import read_status
from gateway.http.submissions import Received, SubmissionService, Submitted
from gateway.model import FieldSource, Issue
from gateway.security import Principal
from gateway.settings import Settings

__all__ = [
    "Accepted",
    "Delivery",
    "MessageStatusResponse",
    "StateChange",
    "SubmissionResponse",
    "router",
]

router = APIRouter(prefix="/v1/messages", tags=["messages"])

MessageId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
Submitter = Annotated[Principal, Depends(require("submit"))]


class Delivery(BaseModel):
    kind: str
    """``directory.child.upsert``, ``caf.assessment.upsert``, ``message.rejected``, ``supplier.delivery`` ..."""
    destination: str
    """Routing key: ``<kind>.<la_code>`` for store events, the receiving supplier's id for deliveries."""
    sent: bool
    """Confirmed by the broker (False while it waits in the outbox)."""


class SubmissionResponse(BaseModel):
    message_id: str
    outcome: Literal["accepted", "rejected"]
    duplicate: bool
    """True when this message id had already been processed: its stored outcome, nothing sent again."""
    records: int
    errors: int
    warnings: int
    held_for_review: int
    """Records held as possible duplicates: nothing is routed for them until a person decides."""
    issues: list[Issue]
    routed: list[Delivery]
    status_url: str


class Accepted(BaseModel):
    message_id: str
    state: Literal["queued"]
    duplicate: bool
    status_url: str


class StateChange(BaseModel):
    state: str
    at: datetime


class MessageStatusResponse(BaseModel):
    message_id: str
    status: str
    state: str | None
    format_id: str | None
    format_version: str | None
    la_code: str
    received_at: datetime
    records: int
    errors: int
    warnings: int
    history: list[StateChange]
    issues: list[Issue]
    deliveries: list[Delivery]
    lineage: list[list[FieldSource]] | None = None
    """Per record, where each canonical field came from (only with ``lineage=true``)."""


def _prefers_async(prefer: str | None) -> bool:
    if not prefer:
        return False
    return any(token.split(";")[0].strip().lower() == "respond-async" for token in prefer.split(","))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionResponse,
    responses={
        200: {"model": SubmissionResponse, "description": "The same message id and payload again: stored outcome"},
        202: {"model": Accepted, "description": "Accepted for processing in the background; follow status_url"},
        **errors(401, 403, 409, 413, 415, 422, 429, 503),
        422: {
            "model": ErrorBody,
            "description": (
                "The message was read and **rejected** (kept as sent; the body is the submission answer — "
                "message_id, outcome, issues, status_url — plus error), or the request itself is invalid "
                "(fields named, values never repeated), or it could not be read in time"
            ),
        },
    },
    openapi_extra={"requestBody": SUBMISSION_BODY},
)
async def submit_message(  # noqa: PLR0917 - FastAPI passes parameters by name
    request: Request,
    response: Response,
    principal: Submitter,
    format_id: Annotated[
        str | None, Query(alias="format", min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    ] = None,
    la_code: Annotated[str | None, Query(pattern=r"^[0-9]{3}$", description="Council (needed if several)")] = None,
    message_id: Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")] = None,
    correlation_id: Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")] = None,
    filename: Annotated[str | None, Query(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._\-]+$")] = None,
    prefer: Annotated[str | None, Header(max_length=200)] = None,
) -> SubmissionResponse | JSONResponse:
    """Submit one message: answers with its id, conformance outcome, issues (never values) and routing."""
    settings: Settings = service(request, "settings")
    submissions: SubmissionService = service(request, "submissions")
    files, format_id = await read_submission(
        request, filename=filename, format_id=format_id, max_part=settings.http_max_body_bytes
    )
    size = sum(len(data) for _name, data in files)
    wants_async = _prefers_async(prefer)
    asynchronous = wants_async or size > settings.http_async_threshold_bytes
    result = await run_in_threadpool(
        lambda: submissions.submit(
            principal,
            files,
            la_code=la_code,
            format_id=format_id,
            message_id=message_id,
            correlation_id=correlation_id,
            asynchronous=asynchronous,
        )
    )
    if isinstance(result, Received):
        url = f"/v1/messages/{result.message_id}"
        headers = {"Location": url, **({"Preference-Applied": "respond-async"} if wants_async else {})}
        accepted = Accepted(message_id=result.message_id, state="queued", duplicate=result.duplicate, status_url=url)
        return JSONResponse(status_code=status.HTTP_202_ACCEPTED, content=accepted.model_dump(), headers=headers)
    return _answer(result, response)


_REJECTED: Final = (
    "the message was rejected: it is kept as sent, and nothing was routed but the rejection. Fix the issues "
    "listed and send it again under a new message id (or ask the operator to replay it after a fix)"
)


def _answer(submitted: Submitted, response: Response) -> SubmissionResponse | JSONResponse:
    result = submitted.result
    message = result.message
    url = f"/v1/messages/{message.envelope.message_id}"
    response.headers["Location"] = url
    if result.duplicate:
        response.status_code = status.HTTP_200_OK
    answer = SubmissionResponse(
        message_id=message.envelope.message_id,
        outcome=result.outcome,
        duplicate=result.duplicate,
        records=len(message.records),
        errors=result.error_count,
        warnings=result.warning_count,
        held_for_review=len(result.held),
        issues=list(message.issues),
        routed=[Delivery(kind=kind, destination=key, sent=sent) for kind, key, sent in submitted.routed],
        status_url=url,
    )
    if result.outcome == "rejected":
        # 4xx so no client mistakes a rejection for a delivery; the body is the full answer plus ``error``.
        content = {"error": _REJECTED, **answer.model_dump(mode="json")}
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=content, headers={"Location": url}
        )
    return answer


@router.get(
    "/{message_id}",
    response_model=MessageStatusResponse,
    response_model_exclude_none=True,
    responses=errors(401, 403, 404, 422, 429, 503),
)
async def message_status(
    request: Request,
    message_id: MessageId,
    principal: Annotated[Principal, Depends(require("submit", "operate"))],
    lineage: Annotated[bool, Query(description="Include each record's field lineage.")] = False,
) -> MessageStatusResponse:
    """A message's status history, issues, deliveries and (optionally) lineage: for its submitter or an operator."""
    submissions: SubmissionService = service(request, "submissions")
    audit: AuditLog = submissions.audit
    intake = submissions.intake
    found = await run_in_threadpool(
        lambda: read_status(
            principal,
            message_id,
            database=service(request, "database"),
            store=intake.store,
            outbox=intake.outbox,
            audit=audit,
            lineage=lineage,
        )
    )
    if found is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="not found")
    return MessageStatusResponse(
        message_id=found.message_id,
        status=found.status,
        state=found.state,
        format_id=found.format_id,
        format_version=found.format_version,
        la_code=found.la_code,
        received_at=found.received_at,
        records=found.record_count,
        errors=found.error_count,
        warnings=found.warning_count,
        history=[StateChange(state=state, at=at) for state, at in found.history],
        issues=list(found.issues),
        deliveries=[Delivery(kind=kind, destination=key, sent=sent) for kind, key, sent in found.deliveries],
        lineage=[list(sources) for sources in found.lineage] if found.lineage is not None else None,
    )
