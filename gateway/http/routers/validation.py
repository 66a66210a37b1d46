"""``POST /v1/$validate``: conformance only. Nothing is stored, matched or routed; answers a FHIR
OperationOutcome (one ``issue`` per issue, coded with the gateway's rule id, located, never a value)."""

from __future__ import annotations

from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.formats import SourceFile
from gateway.http.bodies import SUBMISSION_BODY, read_submission
from gateway.http.dependencies import require, service
from gateway.http.openapi import errors
from gateway.http.reading import bounded
from gateway.http.submissions import SubmissionService, UnreadableFormat
from gateway.intake import UnknownFormat
from gateway.model import Issue
from gateway.pipeline import new_envelope, process
from gateway.security import Forbidden, Principal
from gateway.settings import Settings

__all__ = ["RULE_SYSTEM", "operation_outcome", "router"]

router = APIRouter(prefix="/v1", tags=["validation"])

RULE_SYSTEM: Final = "https://ecm-gateway.example/conformance/rules"
"""Code system of the gateway's rule ids (the same as the conformance reports')."""

_FHIR_JSON: Final = "application/fhir+json"


def _code(rule: str) -> str:
    if rule.startswith(("xsd/", "read/")):
        return "structure"
    if rule.startswith("map/"):
        return "value"
    return "business-rule"


def _where(issue: Issue) -> list[str]:
    location = issue.location
    if location is None:
        return []
    parts = [location.file or "(submission)"]
    if location.line:
        parts[0] += f":{location.line}"
    if location.row:
        parts.append(f"row {location.row}")
    if location.column:
        parts.append(f"column {location.column}")
    if location.path:
        parts.append(location.path)
    return [" ".join(parts)]


def operation_outcome(issues: list[Issue], records: int) -> dict[str, Any]:
    """A FHIR R4 OperationOutcome for ``issues`` (one informational issue when there are none)."""
    entries: list[dict[str, Any]] = [
        {
            "severity": issue.severity,
            "code": _code(issue.rule),
            "details": {"coding": [{"system": RULE_SYSTEM, "code": issue.rule}], "text": issue.message},
            "diagnostics": f"{issue.rule}: {issue.message}",
            **({"location": _where(issue)} if _where(issue) else {}),
            **({"expression": [issue.canonical_path]} if issue.canonical_path else {}),
        }
        for issue in issues
    ]
    if not entries:
        entries.append(
            {"severity": "information", "code": "informational", "diagnostics": f"{records} record(s), no issues"}
        )
    return {"resourceType": "OperationOutcome", "issue": entries}


_OUTCOME_SCHEMA: Final = {"type": "object", "required": ["resourceType", "issue"]}


@router.post(
    "/$validate",
    response_class=Response,
    responses={
        200: {"description": "FHIR OperationOutcome", "content": {_FHIR_JSON: {"schema": _OUTCOME_SCHEMA}}},
        **errors(401, 403, 413, 415, 422, 429, 503),
    },
    openapi_extra={"requestBody": SUBMISSION_BODY},
)
async def validate(
    request: Request,
    principal: Annotated[Principal, Depends(require("validate"))],
    format_id: Annotated[
        str | None, Query(alias="format", min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    ] = None,
    la_code: Annotated[str | None, Query(pattern=r"^[0-9]{3}$")] = None,
    filename: Annotated[str | None, Query(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._\-]+$")] = None,
) -> Response:
    """Check a file against the gateway's conformance profile; nothing is kept."""
    settings: Settings = service(request, "settings")
    submissions: SubmissionService = service(request, "submissions")
    files, format_id = await read_submission(
        request, filename=filename, format_id=format_id, max_part=settings.http_max_body_bytes
    )
    la = la_code or min(principal.la_codes)
    if la not in principal.la_codes:
        raise Forbidden("this client may not act for that council")
    issues, records = await run_in_threadpool(lambda: _check(submissions, files, format_id, la))
    body = orjson.dumps(operation_outcome(issues, records), option=orjson.OPT_INDENT_2)
    return Response(content=body, media_type=_FHIR_JSON)


def _check(
    submissions: SubmissionService, files: list[tuple[str, bytes]], format_id: str | None, la_code: str
) -> tuple[list[Issue], int]:
    """Read, map and check ``files`` under the parse limits (the intake's checks); nothing is stored."""
    intake = submissions.intake
    sources = [SourceFile(name=name, data=data) for name, data in files]
    chosen = intake.choose_reader(sources, format_id)
    if isinstance(chosen, UnknownFormat):
        raise UnreadableFormat(chosen.issue)
    envelope = new_envelope(files, supplier_id="validate", la_code=la_code, format_id=chosen.format_id)
    reader = bounded(chosen, timeout=submissions.parse_timeout, max_records=submissions.max_records)
    result = process(envelope, sources, reader, intake.checks)
    return list(result.message.issues), len(result.message.records)
