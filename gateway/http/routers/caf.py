"""The CAF API: read a CAF (JSON or FHIR), list a child's CAFs, record a consent's withdrawal.

A CAF the caller may not read answers exactly like one that does not exist (404), so the API does not
reveal which CAFs exist. Every call is audited by the store.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from gateway.access import Purpose
from gateway.consent import ReadBasis
from gateway.http.dependencies import CafStoreDep, CallerDep
from gateway.http.text import PRINTABLE_ID, PrintableText, printable_json_body
from gateway.model import CafAssessment

__all__ = ["CafList", "CafResponse", "CafSummaryModel", "WithdrawalRequest", "router"]

router = APIRouter(prefix="/v1/caf", tags=["caf"], dependencies=[Depends(printable_json_body)])

CafId = Annotated[str, Path(min_length=1, max_length=128, pattern=PRINTABLE_ID)]
PurposeQuery = Annotated[Purpose, Query(description="Why you are reading (recorded in the audit log).")]
VersionQuery = Annotated[int | None, Query(ge=1, le=1_000_000)]

_NOT_FOUND = "not found"


class CafResponse(BaseModel):
    child_id: str | None
    latest_version: int
    assessment: CafAssessment


class CafSummaryModel(BaseModel):
    caf_id: str
    version: int
    status: str
    review_date: date | None
    basis: ReadBasis


class CafList(BaseModel):
    child_id: str
    assessments: list[CafSummaryModel]


class WithdrawalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: PrintableText = Field(min_length=3, max_length=500)


@router.get("/assessments/{caf_id}", response_model=CafResponse)
def read_caf(
    caf_id: CafId, purpose: PurposeQuery, caller: CallerDep, store: CafStoreDep, version: VersionQuery = None
) -> CafResponse:
    """The CAF (latest version, or ``version``) with its consents, if you may read it."""
    stored = store.read(caf_id, caller, purpose, version=version)
    if stored is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return CafResponse(child_id=stored.child_id, latest_version=stored.latest_version, assessment=stored.assessment)


@router.get("/assessments/{caf_id}/fhir")
def export_caf(
    caf_id: CafId, purpose: PurposeQuery, caller: CallerDep, store: CafStoreDep, version: VersionQuery = None
) -> Response:
    """The CAF as a FHIR R4 Bundle: QuestionnaireResponse and Consents."""
    body = store.export_fhir(caf_id, caller, purpose, version=version)
    if body is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return Response(content=body, media_type="application/fhir+json")


@router.get("/children/{child_id}/assessments", response_model=CafList)
def list_cafs(
    child_id: Annotated[str, Path(min_length=1, max_length=128, pattern=PRINTABLE_ID)],
    purpose: PurposeQuery,
    caller: CallerDep,
    store: CafStoreDep,
) -> CafList:
    """The CAFs about a child that you may read (summaries only)."""
    found = store.for_child(child_id, caller, purpose)
    return CafList(
        child_id=child_id,
        assessments=[
            CafSummaryModel(
                caf_id=s.caf_id, version=s.version, status=s.status, review_date=s.review_date, basis=s.basis
            )
            for s in found
        ],
    )


@router.post("/assessments/{caf_id}/consents/{consent_id}/withdrawal", status_code=204)
def withdraw_consent(
    caf_id: CafId,
    consent_id: Annotated[str, Path(min_length=1, max_length=128, pattern=PRINTABLE_ID)],
    request: Annotated[WithdrawalRequest, Body()],
    caller: CallerDep,
    store: CafStoreDep,
) -> Response:
    """Record that the family withdrew a consent: sharing stops at once and recipients are told to stop."""
    if not store.withdraw_consent(caf_id, consent_id, caller, request.reason):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return Response(status_code=204)
