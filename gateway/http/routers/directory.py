"""The directory API: search, a child's entry, who is working with the child, break glass, involvements.

Searches are POSTed (criteria in the body), so names and birth dates never appear in URLs or access logs.
Every call is audited by the store. A shielded child's hidden fields never appear in a response: a search
on one finds nothing, exactly like a miss; only break glass (a stated reason, audited, alerted) shows them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from gateway.access import Purpose
from gateway.directory import BREAK_GLASS_MIN_REASON, DirectoryQuery, InvolvementStart, SearchResult
from gateway.http.dependencies import CallerDep, DirectoryStoreDep
from gateway.http.text import PRINTABLE_ID, PrintableText, printable_json_body
from gateway.views import DirectoryEntry, DirectoryInvolvement

__all__ = ["BreakGlassRequest", "BrokenGlassResponse", "InvolvementEnd", "InvolvementList", "SearchRequest", "router"]

router = APIRouter(prefix="/v1/directory", tags=["directory"], dependencies=[Depends(printable_json_body)])

ChildId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
PurposeQuery = Annotated[Purpose, Query(description="Why you are looking (recorded in the audit log).")]

_NOT_FOUND = "not found"


class SearchRequest(DirectoryQuery):
    """Search criteria and why you are searching."""

    purpose: Purpose


class BreakGlassRequest(BaseModel):
    """Why the shield must be lifted (audited; safeguarding leads are alerted)."""

    model_config = ConfigDict(extra="forbid")

    reason: PrintableText = Field(min_length=BREAK_GLASS_MIN_REASON, max_length=500)


class BrokenGlassResponse(BaseModel):
    entry: DirectoryEntry
    audit_seq: int


class InvolvementList(BaseModel):
    child_id: str
    involvements: tuple[DirectoryInvolvement, ...]


class InvolvementEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    end: date


@router.post("/searches", response_model=SearchResult)
def search(request: SearchRequest, caller: CallerDep, store: DirectoryStoreDep) -> SearchResult:
    """Find children by name (fuzzy), birth date, postcode, NHS number, UPN or LA child id (all ANDed)."""
    query = DirectoryQuery.model_validate(request.model_dump(exclude={"purpose"}))
    return store.search(query, caller, request.purpose)


@router.get("/children/{child_id}", response_model=DirectoryEntry)
def child_entry(
    child_id: ChildId, purpose: PurposeQuery, caller: CallerDep, store: DirectoryStoreDep
) -> DirectoryEntry:
    """A child's directory entry (the ContactPoint data set; a shielded child's contacts are withheld)."""
    entry = store.entry(child_id, caller, purpose)
    if entry is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return entry


@router.get("/children/{child_id}/involvements", response_model=InvolvementList)
def who_is_working(
    child_id: ChildId, purpose: PurposeQuery, caller: CallerDep, store: DirectoryStoreDep
) -> InvolvementList:
    """Who else is working with this child: services and practitioners, start and end, lead professional."""
    involvements = store.involvements(child_id, caller, purpose)
    if involvements is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return InvolvementList(child_id=child_id, involvements=involvements)


@router.post("/children/{child_id}/break-glass", response_model=BrokenGlassResponse)
def break_glass(
    child_id: ChildId, request: Annotated[BreakGlassRequest, Body()], caller: CallerDep, store: DirectoryStoreDep
) -> BrokenGlassResponse:
    """Lift a shielded child's shield to see its and its carers' address and contacts (audited, alerted)."""
    found = store.break_glass(child_id, caller, request.reason)
    if found is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return BrokenGlassResponse(entry=found.entry, audit_seq=found.audit_seq)


@router.post("/children/{child_id}/involvements", response_model=DirectoryInvolvement, status_code=201)
def start_involvement(
    child_id: ChildId, start: Annotated[InvolvementStart, Body()], caller: CallerDep, store: DirectoryStoreDep
) -> DirectoryInvolvement:
    """Record that your organisation has started working with the child."""
    involvement = store.record_involvement(child_id, caller, start)
    if involvement is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return involvement


@router.post("/children/{child_id}/involvements/{involvement_id}/end", response_model=DirectoryInvolvement)
def end_involvement(
    child_id: ChildId,
    involvement_id: Annotated[str, Path(min_length=1, max_length=160, pattern=PRINTABLE_ID)],
    request: Annotated[InvolvementEnd, Body()],
    caller: CallerDep,
    store: DirectoryStoreDep,
) -> DirectoryInvolvement:
    """Record the end of an involvement your organisation recorded (suppliers' records end at the supplier)."""
    try:
        involvement = store.end_involvement(child_id, involvement_id, caller, request.end)
    except ValueError:
        raise HTTPException(status_code=422, detail="an involvement cannot end before it started") from None
    if involvement is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return involvement
