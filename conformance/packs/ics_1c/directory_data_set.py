"""ics-1c/directory-data-set: the record carries the ContactPoint data set, and only that is projected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Final

from gateway import CheckContext, ChildRecord, Finding, NotEvaluated, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.views import directory_view

__all__ = ["CONTACTPOINT_FIELDS", "NO_IDENTITY_FORMATS", "RULE"]

CONTACTPOINT_FIELDS: Final = frozenset(
    {
        "child_id", "local_ids", "nhs_number", "upn", "names", "birth_date", "sex", "address", "address_status",
        "shielded", "carers", "education_setting", "gp_practice", "involvements", "caf",
    }
)  # fmt: skip
"""The directory entry's fields: the ContactPoint data set (identity, contacts, services), nothing else."""

NO_IDENTITY_FORMATS: Final = frozenset({"cin-census-xml", "ssda903-csv"})
"""DfE statistical returns: they carry no names, contacts or addresses, so those parts are not evaluated."""

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}
_COMPLETE = {
    **_ID,
    "names": [{"given": ["Amara"], "family": "Test"}],
    "birth_date": "2015-01-01",
    "sex": "F",
    "no_known_address": True,
}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if context.format_id in NO_IDENTITY_FORMATS:
        yield NotEvaluated(f"the {context.format_id} format carries no names, contacts or addresses", "/child/names")
    else:
        yield from _identity(record)
    for index, involvement in enumerate(record.involvements):
        if involvement.organisation is None and involvement.practitioner is None:
            yield Finding(f"/involvements/{index}", "a service with no organisation or practitioner to contact")
        elif involvement.start is None:
            yield Finding(f"/involvements/{index}/start", "a service with no start date")
    projected = (
        record if child.child_id else record.model_copy(update={"child": child.model_copy(update={"child_id": "-"})})
    )
    entry = directory_view(projected, at=datetime.combine(context.today, time(12), tzinfo=UTC))
    if set(entry.model_dump(exclude_defaults=True)) - CONTACTPOINT_FIELDS:
        yield Finding("", "the directory view holds data outside the ContactPoint data set")


def _identity(record: ChildRecord) -> Iterator[Outcome]:
    child = record.child
    if not any(name.family or name.given for name in child.names):
        yield Finding("/child/names", "no name")
    if child.sex is None:
        yield Finding("/child/sex", "no gender")
    if not child.addresses and not child.no_known_address:
        yield Finding("/child/addresses", "neither an address nor its recorded absence")


RULE = RecordRule(
    id="ics-1c/directory-data-set",
    pack="ics-1c",
    strength="SHOULD",
    message="the record does not carry the ContactPoint data set the directory holds",
    fields=(
        "/child/names",
        "/child/sex",
        "/child/addresses",
        "/child/no_known_address",
        "/involvements/*/organisation",
        "/involvements/*/practitioner",
        "/involvements/*/start",
    ),
    check=_check,
    doc=RuleDoc(
        checks=(
            "The child has a name, a gender, and an address or the recorded absence of one; every service involved "
            "names an organisation or practitioner to contact and a start date. The record's directory view (as "
            "gateway.views projects it) holds only the ContactPoint data set: names, address or its absence, "
            "gender, birth date, ids, carers and their contacts, education setting, GP, services and practitioners "
            "with start and end and the lead professional, and a 'CAF exists' indicator - never case information. "
            "DfE statistical returns (CIN census, SSDA903) carry no names or addresses: for them that part is "
            "reported once per file as not evaluated."
        ),
        why=(
            "The directory (modelled on ContactPoint) exists so a practitioner can find a child and see who else is "
            "working with them; an entry without a name, an address status or a contact for each service fails "
            "that purpose, and case information must never reach it."
        ),
        fix="Send the child's name, gender and address (or 'no known address'), and each service's contact and start.",
    ),
    examples=(
        passes(
            "complete",
            {
                "child": _COMPLETE,
                "involvements": [
                    {
                        "service_type": "school-nursing",
                        "organisation": {"name": "School nursing"},
                        "start": "2024-09-01",
                    }
                ],
            },
        ),
        fails(
            "no name and no address status",
            {"child": {**_ID, "birth_date": "2015-01-01", "sex": "M"}},
            at=["/records/0/child/names", "/records/0/child/addresses"],
        ),
        passes(
            "CIN census record: identity not evaluated",
            {"child": {**_ID, "birth_date": "2015-01-01"}},
            format_id="cin-census-xml",
            not_evaluated=True,
        ),
        fails(
            "service without a contact",
            {"child": _COMPLETE, "involvements": [{"service_type": "health-visiting", "start": "2024-09-01"}]},
            at=["/records/0/involvements/0"],
        ),
    ),
)
