"""Directory search: by name (fuzzy), birth date, postcode, NHS number, UPN or LA child id.

Criteria combine with AND. Only what a directory entry *shows* is searchable: a shielded child has no
address in its entry, so a search by its postcode finds nothing — the same answer, in the same shape,
as a search that matches no child at all. Archived entries are never found.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Final, Self

from pydantic import Field, TypeAdapter, field_validator, model_validator
from sqlalchemy import Connection, Select, select

from gateway.directory.names import NameMatcher, query_keys
from gateway.directory.records import postcode_key
from gateway.identifiers import normalise_nhs_number
from gateway.model import LocalId, PersonName, Sex
from gateway.model._base import CanonicalModel
from gateway.storage.tables import directory_children, directory_local_ids, directory_name_keys

__all__ = [
    "CANDIDATE_LIMIT",
    "MINIMUM_CRITERIA",
    "DirectoryQuery",
    "SearchHit",
    "SearchResult",
    "run_search",
    "search_statement",
]

CANDIDATE_LIMIT: Final = 1000
"""Most candidates a name search ranks; beyond it the result says ``more`` (ask with more criteria)."""

MINIMUM_CRITERIA: Final = 2
"""Without an identifier, a search needs this many of family name, given name, birth date and postcode."""

_NAMES = TypeAdapter(tuple[PersonName, ...])


class DirectoryQuery(CanonicalModel):
    """What a practitioner searches by: an identifier, or at least two of name, birth date and postcode.

    The minimum stops the directory being browsed (every "Smith", every child born on a day).
    """

    family_name: str | None = Field(default=None, min_length=1, max_length=100)
    given_name: str | None = Field(default=None, min_length=1, max_length=100)
    """Only together with ``family_name``."""
    birth_date: date | None = None
    postcode: str | None = Field(default=None, min_length=2, max_length=16)
    nhs_number: str | None = Field(default=None, min_length=1, max_length=20)
    upn: str | None = Field(default=None, min_length=1, max_length=20)
    la_code: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    """Only together with ``la_child_id``."""
    la_child_id: str | None = Field(default=None, min_length=1, max_length=32)
    limit: int = Field(default=20, ge=1, le=50)

    @field_validator("family_name", "given_name", "postcode", "nhs_number", "upn", "la_child_id")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
            raise ValueError("control characters are not allowed")
        return value

    @model_validator(mode="after")
    def _selective(self) -> Self:
        if self.given_name and not self.family_name:
            raise ValueError("given_name is searched only together with family_name")
        if (self.la_code is None) != (self.la_child_id is None):
            raise ValueError("la_code and la_child_id are searched together")
        if self.nhs_number or self.upn or self.la_child_id:
            return self
        described = sum(
            value is not None for value in (self.family_name, self.given_name, self.birth_date, self.postcode)
        )
        if described < MINIMUM_CRITERIA:
            raise ValueError(
                "a search needs an identifier (nhs_number, upn, or la_code with la_child_id) or two of "
                "family_name, given_name, birth_date and postcode"
            )
        return self

    def parameters(self) -> dict[str, Any]:
        """The criteria asked with (for the audit log)."""
        return self.model_dump(mode="json", exclude_none=True)


class SearchHit(CanonicalModel):
    """One child found: enough to tell children apart, nothing more (view the entry for the rest)."""

    child_id: str
    local_ids: tuple[LocalId, ...] = ()
    names: tuple[PersonName, ...] = ()
    birth_date: date | None = None
    sex: Sex | None = None
    postcode: str | None = None
    """The postcode of the address shown (never for a shielded child)."""
    shielded: bool = False
    score: float | None = None
    """Name similarity (0..1) when searched by name."""


class SearchResult(CanonicalModel):
    """Search results, best first. A miss and a search on a hidden field both give ``results: []``."""

    results: tuple[SearchHit, ...] = ()
    more: bool = False
    """True when more children matched than were returned: add criteria to narrow the search."""


def search_statement(query: DirectoryQuery) -> tuple[Select[Any] | None, int]:
    """The SQL for ``query`` and the most rows worth fetching; ``None`` when nothing can match."""
    children = directory_children.c
    statement = select(
        children.child_id, children.names, children.birth_date, children.sex, children.address, children.shielded
    ).where(children.archived_at.is_(None))
    if query.nhs_number:
        statement = statement.where(children.nhs_number == normalise_nhs_number(query.nhs_number))
    if query.upn:
        statement = statement.where(children.upn == query.upn.strip().upper())
    if query.birth_date:
        statement = statement.where(children.birth_date == query.birth_date)
    if query.postcode:
        statement = statement.where(children.postcode_key == postcode_key(query.postcode))
    if query.la_code and query.la_child_id:
        statement = statement.where(
            children.child_id.in_(
                select(directory_local_ids.c.child_id).where(
                    directory_local_ids.c.la_code == query.la_code,
                    directory_local_ids.c.la_child_id == query.la_child_id,
                )
            )
        )
    if not query.family_name:
        return statement.order_by(children.child_id).limit(query.limit + 1), query.limit
    if query.birth_date or query.postcode or query.nhs_number or query.upn or query.la_child_id:
        # Another criterion already narrows the search to a few children: rank all of them by name, so a
        # misspelling that changes the phonetic code is still found.
        return statement.limit(CANDIDATE_LIMIT + 1), CANDIDATE_LIMIT
    keys = query_keys(query.family_name, query.given_name)
    if not keys:
        return None, 0
    statement = statement.where(
        children.child_id.in_(select(directory_name_keys.c.child_id).where(directory_name_keys.c.key.in_(sorted(keys))))
    )
    return statement.limit(CANDIDATE_LIMIT + 1), CANDIDATE_LIMIT


def run_search(connection: Connection, query: DirectoryQuery) -> SearchResult:
    """Run ``query`` on the directory tables (no auditing: :class:`~gateway.directory.DirectoryStore` audits)."""
    statement, cap = search_statement(query)
    if statement is None:
        return SearchResult()
    rows = connection.execute(statement).all()
    more = len(rows) > cap
    scored: list[tuple[float, str, Any]] = []
    matcher = NameMatcher(query.family_name, query.given_name) if query.family_name else None
    for row in rows[:cap]:
        score = 0.0
        if matcher is not None:
            found = matcher.score([(name.get("family"), name.get("given", ())) for name in row.names])
            if found is None:
                continue
            score = found
        scored.append((-score, row.child_id, row))
    scored.sort(key=lambda item: (item[0], item[1]))
    more = more or len(scored) > query.limit
    hits = []
    for negative, _, row in scored[: query.limit]:  # only what is returned is built and validated
        address = row.address or {}
        hits.append(
            SearchHit(
                child_id=row.child_id,
                names=_NAMES.validate_python(row.names),
                birth_date=row.birth_date,
                sex=row.sex,
                postcode=None if row.shielded else address.get("postcode"),
                shielded=row.shielded,
                score=round(-negative, 4) if matcher is not None else None,
            )
        )
    return SearchResult(results=tuple(_with_local_ids(connection, hits)), more=more)


def _with_local_ids(connection: Connection, hits: list[SearchHit]) -> list[SearchHit]:
    if not hits:
        return hits
    found: dict[str, list[LocalId]] = {}
    rows = connection.execute(
        select(directory_local_ids.c.child_id, directory_local_ids.c.la_code, directory_local_ids.c.la_child_id)
        .where(directory_local_ids.c.child_id.in_([hit.child_id for hit in hits]))
        .order_by(directory_local_ids.c.la_code, directory_local_ids.c.la_child_id)
    )
    for child_id, la_code, la_child_id in rows:
        found.setdefault(child_id, []).append(LocalId(la_code=la_code, la_child_id=la_child_id))
    return [hit.model_copy(update={"local_ids": tuple(found.get(hit.child_id, ()))}) for hit in hits]
