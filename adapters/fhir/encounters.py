"""Encounters -> canonical ``Assessment`` values with their child-seen dates.

How an Encounter links to an assessment (documented for suppliers in ``docs/formats/fhir-r4-json.md``):

* An **assessment** is an Encounter whose ``type`` has a coding from the gateway assessment-kind code
  system (``initial``, ``core``, ``single``, ``continuous``, ``other``). Its ``period`` is the assessment's
  start and completion, its ``reasonCode`` the DfE factors, its first ``participant.individual`` the
  assessor; ``identifier`` (gateway assessment-id system) is the assessment id; ``episodeOfCare``
  (logical, gateway cin-episode-id system) the CIN episode; gateway extensions carry the authorisation
  date and, as ``child-seen-recorded: false``, a source that could not record child-seen dates.
* A **visit** in which the child was seen is an Encounter whose ``partOf`` references the assessment
  Encounter (in the submission), or names it logically (``partOf.identifier`` in the gateway
  assessment-id system, when the assessment itself lives in another system). Its ``period.start`` is the
  date the child was seen, when its status says the visit happened (``finished``, ``in-progress``,
  ``arrived``, ``triaged``, ``onleave``); ``planned`` and ``cancelled`` visits are not seen dates.
* Any other Encounter (no assessment type and no ``partOf``) cannot be placed and is an error issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, get_args

from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import codings, dict_items, dict_value, extension_values, read_date, string_value
from adapters.fhir.pool import ResourcePool
from adapters.fhir.practitioners import read_practitioner
from adapters.fhir.systems import (
    ASSESSMENT_ID_SYSTEM,
    ASSESSMENT_KIND_SYSTEM,
    AUTHORISED_DATE_EXTENSION,
    CHILD_SEEN_RECORDED_EXTENSION,
    DFE_FACTOR_SYSTEM,
    EPISODE_ID_SYSTEM,
)
from gateway import Assessment, AssessmentKind

__all__ = ["SEEN_STATUSES", "map_encounters"]

SEEN_STATUSES: Final = frozenset({"finished", "in-progress", "arrived", "triaged", "onleave"})
_NOT_SEEN_STATUSES: Final = frozenset({"planned", "cancelled", "entered-in-error"})
_KINDS: Final = frozenset(get_args(AssessmentKind))


@dataclass
class _Builder:
    assessment_id: str
    index: int
    fields: dict[str, Any] = field(default_factory=dict)
    seen: list[tuple[date, Entry]] = field(default_factory=list)


def _kind(entry: Entry) -> tuple[str, str] | None:
    for index, concept in dict_items(entry.resource.get("type")):
        for coding_index, coding in codings(concept):
            if coding.get("system") == ASSESSMENT_KIND_SYSTEM:
                return str(coding.get("code")), f"/type/{index}/coding/{coding_index}/code"
    return None


def _assessment_id(entry: Entry) -> tuple[str, str] | None:
    for index, identifier in dict_items(entry.resource.get("identifier")):
        if identifier.get("system") == ASSESSMENT_ID_SYSTEM and (value := string_value(identifier.get("value"))):
            return value, f"/identifier/{index}/value"
    if entry.id:
        return entry.id, "/id"
    return (entry.full_url, "") if entry.full_url else None


def map_encounters(entries: list[Entry], pool: ResourcePool, collector: Collector) -> tuple[Assessment, ...]:
    """Map the child's Encounters to assessments (the assessments come first in submission order)."""
    builders: dict[str, _Builder] = {}
    by_entry: dict[int, str] = {}
    visits: list[Entry] = []
    for entry in entries:
        status = entry.resource.get("status")
        if status == "entered-in-error":
            continue
        kind = _kind(entry)
        if kind is None:
            visits.append(entry)
            continue
        found = _assessment_id(entry)
        if found is None:
            collector.issue(
                "map/fhir/assessment-id-missing", "error", "an assessment Encounter has no id or identifier", entry
            )
            continue
        assessment_id, id_path = found
        if assessment_id in builders and builders[assessment_id].fields:
            collector.issue(
                "map/fhir/assessment-repeated", "error", "two assessment Encounters have the same id", entry, id_path
            )
            continue
        builder = builders.setdefault(assessment_id, _Builder(assessment_id, len(builders)))
        by_entry[id(entry)] = assessment_id
        _read_assessment(entry, kind, id_path, pool, builder, collector=collector)
    for entry in visits:
        visited = _visit_assessment(entry, pool, by_entry, collector)
        if visited is None:
            continue
        builder = builders.setdefault(visited, _Builder(visited, len(builders)))
        _read_visit(entry, builder, collector)
    return tuple(_finish(builder, collector) for builder in sorted(builders.values(), key=lambda b: b.index))


def _read_assessment(
    entry: Entry, kind: tuple[str, str], id_path: str, pool: ResourcePool, builder: _Builder, *, collector: Collector
) -> None:
    resource = entry.resource
    canonical = f"/assessments/{builder.index}"
    fields = builder.fields
    fields["assessment_id"] = builder.assessment_id
    collector.source(f"{canonical}/assessment_id", entry, id_path, "Encounter.identifier")
    code, kind_path = kind
    if code in _KINDS:
        fields["kind"] = code
        collector.source(f"{canonical}/kind", entry, kind_path, "Encounter.type:assessmentKind")
    else:
        collector.issue(
            "map/fhir/code-unmapped",
            "error",
            "the assessment kind is not a gateway assessment-kind code",
            entry,
            kind_path,
        )
    period = dict_value(resource.get("period"))
    for bound, name in (("start", "start_date"), ("end", "completed_date")):
        value = read_date(period.get(bound))
        if value is not None:
            fields[name] = value
            collector.source(f"{canonical}/{name}", entry, f"/period/{bound}", f"Encounter.period.{bound}")
    if resource.get("status") == "finished" and "completed_date" not in fields:
        collector.issue(
            "map/fhir/assessment-end-missing",
            "warning",
            "a finished assessment Encounter has no period.end",
            entry,
            "/period",
        )
    factors: list[str] = []
    for index, concept in dict_items(resource.get("reasonCode")):
        for coding_index, coding in codings(concept):
            if coding.get("system") == DFE_FACTOR_SYSTEM and (code_value := string_value(coding.get("code"))):
                collector.source(
                    f"{canonical}/factors/{len(factors)}",
                    entry,
                    f"/reasonCode/{index}/coding/{coding_index}",
                    "Encounter.reasonCode",
                )
                factors.append(code_value)
    fields["factors"] = tuple(factors)
    for index, extension in extension_values(resource, AUTHORISED_DATE_EXTENSION):
        if (authorised := read_date(extension.get("valueDate"))) is not None:
            fields["authorised_date"] = authorised
            collector.source(
                f"{canonical}/authorised_date",
                entry,
                f"/extension/{index}/valueDate",
                "Encounter.extension:authorisedDate",
            )
    for index, extension in extension_values(resource, CHILD_SEEN_RECORDED_EXTENSION):
        if extension.get("valueBoolean") is False:
            fields["child_seen_known"] = False
            collector.source(
                f"{canonical}/child_seen_known",
                entry,
                f"/extension/{index}/valueBoolean",
                "Encounter.extension:childSeenRecorded",
            )
    for index, reference in dict_items(resource.get("episodeOfCare"))[:1]:
        identifier = reference.get("identifier")
        if (
            isinstance(identifier, dict)
            and identifier.get("system") == EPISODE_ID_SYSTEM
            and (episode := string_value(identifier.get("value")))
        ):
            fields["episode_id"] = episode
            collector.source(
                f"{canonical}/episode_id", entry, f"/episodeOfCare/{index}/identifier/value", "Encounter.episodeOfCare"
            )
    for index, participant in dict_items(resource.get("participant"))[:1]:
        assessor = read_practitioner(
            participant.get("individual"),
            pool,
            entry,
            f"/participant/{index}/individual",
            f"{canonical}/assessor",
            collector=collector,
            element="Encounter.participant",
        )
        if assessor is not None:
            fields["assessor"] = assessor


def _visit_assessment(entry: Entry, pool: ResourcePool, by_entry: dict[int, str], collector: Collector) -> str | None:
    part_of = entry.resource.get("partOf")
    if not isinstance(part_of, dict):
        collector.issue(
            "map/fhir/encounter-unlinked",
            "error",
            "the Encounter is neither an assessment (gateway assessment-kind type) nor part of one (partOf); "
            "its child-seen date cannot be placed",
            entry,
            canonical_path="/assessments",
        )
        return None
    target = pool.resolve(part_of, entry)
    if target is not None:
        assessment_id = by_entry.get(id(target))
        if assessment_id is None:
            collector.issue(
                "map/fhir/encounter-unlinked",
                "error",
                "Encounter.partOf does not point at an assessment Encounter of the same child",
                entry,
                "/partOf",
            )
        return assessment_id
    identifier = part_of.get("identifier")
    if isinstance(identifier, dict) and identifier.get("system") == ASSESSMENT_ID_SYSTEM:
        value = string_value(identifier.get("value"))
        if value is not None:
            return value
    collector.issue(
        "map/fhir/encounter-unlinked",
        "error",
        "Encounter.partOf names no assessment Encounter in the submission and no gateway assessment id",
        entry,
        "/partOf",
    )
    return None


def _read_visit(entry: Entry, builder: _Builder, collector: Collector) -> None:
    status = entry.resource.get("status")
    if status in _NOT_SEEN_STATUSES:
        return
    if status not in SEEN_STATUSES:
        collector.issue(
            "map/fhir/encounter-status",
            "warning",
            "the visit's status does not say whether it happened; it was not counted as the child being seen",
            entry,
            "/status",
        )
        return
    period = entry.resource.get("period")
    seen = read_date(period.get("start")) if isinstance(period, dict) else None
    if seen is None:
        collector.issue(
            "map/fhir/seen-date-missing",
            "error",
            "a visit Encounter has no full period.start date",
            entry,
            "/period/start",
        )
        return
    builder.seen.append((seen, entry))


def _finish(builder: _Builder, collector: Collector) -> Assessment:
    canonical = f"/assessments/{builder.index}"
    fields = dict(builder.fields) or {"assessment_id": builder.assessment_id}
    seen = sorted({day: entry for day, entry in reversed(builder.seen)}.items())
    for position, (_, entry) in enumerate(seen):
        collector.source(f"{canonical}/child_seen_dates/{position}", entry, "/period/start", "Encounter.period.start")
    fields["child_seen_dates"] = tuple(day for day, _ in seen)
    return Assessment(**fields)
