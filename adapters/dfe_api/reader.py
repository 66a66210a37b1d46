"""The ``dfe-csc-api-json`` reader: the DfE children's social care API payload (CIN census and SSDA903 data
as plain JSON, with ``purge`` flags).

Accepted shapes (``../shared/data/dfe-csc-api/json_payload_structure.md``):

* the document ``{"la_code": 123, "Children": [ ... ]}`` (``Children`` may also be one object);
* the bare array of child objects that the API endpoint ``/children_social_care_data/{la_code}/children``
  takes (DfE specification 0.8), whose LA comes from the submission (:meth:`DfeApiReader.for_submission`);
* one child object (a staging-table ``json_payload``).

Each child is flattened object by object (:mod:`adapters.dfe_api.shape`) and mapped with the declarative
mappings in ``mappings/dfe-csc-api/`` through the gateway's mapping engine. ``purge`` flags map to
``ChildRecord.purge``, ``Child.purge`` (``child_details.purge``) and each item's ``purge``. UASC status
(``uasc_flag`` true, or a ``uasc_end_date``) becomes ``ChildRecord.uasc``; an episode's ``adoption`` and
``care_leavers`` become ``ChildRecord.adoption`` and ``ChildRecord.care_leaver``. What the canonical model
does not hold (``health_and_wellbeing`` SDQ assessments, ``mis_child_id``) is reported once per file as
not carried. The payload is one JSON document, so a file is held in memory while it is read (up to the
reader's ``max_bytes``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Final

from adapters._json import DEFAULT_MAX_BYTES, JsonDocument, JsonProblem, escape_pointer, load_json
from adapters.dfe_api.shape import (
    ADOPTION,
    CARE_LEAVERS,
    CHILD,
    CHILD_DETAILS,
    EPISODE,
    EPISODE_LISTS,
    HEALTH,
    Flattened,
    flatten,
)
from gateway import ChildRecord, Issue, ReadEvent, SourceFile, SourceLocation, SubmissionHeader
from gateway.mapping import MappingLibrary, RecordBuilder, SourceRow

__all__ = ["FORMAT_ID", "DfeApiReader"]

FORMAT_ID: Final = "dfe-csc-api-json"
_NOT_CARRIED: Final = {
    "mis_child_id": "mis_child_id (the supplier's own id)",
    "health_and_wellbeing": "health_and_wellbeing (SDQ scores)",
}
_EPISODE_PARTS: Final = {
    "adoption": ("dfe-csc-api/adoption", ADOPTION),
    "care_leavers": ("dfe-csc-api/care-leavers", CARE_LEAVERS),
}


class DfeApiReader:
    """Reads DfE CSC API payloads. ``la_code``: the submission's LA, for payloads that do not name it."""

    format_id = FORMAT_ID
    description = "DfE children's social care API payload (JSON mirroring the CIN census and SSDA903, with purge flags)"

    def __init__(
        self, *, la_code: str | None = None, library: MappingLibrary | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.la_code = la_code
        self._library = library
        self._max_bytes = max_bytes

    def for_submission(self, declared: SubmissionHeader) -> DfeApiReader:
        """A reader for one submission declared for ``declared.la_code``."""
        return DfeApiReader(la_code=declared.la_code or self.la_code, library=self._library, max_bytes=self._max_bytes)

    @property
    def library(self) -> MappingLibrary:
        if self._library is None:
            self._library = MappingLibrary()
        return self._library

    def sniff(self, name: str, head: bytes) -> bool:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return (
            stripped[:1] in (b"{", b"[")
            and b'"resourceType"' not in head
            and (b'"la_child_id"' in head or b'"Children"' in head)
        )

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        documents: list[tuple[str, JsonDocument]] = []
        problems: list[Issue] = []
        for source in files:
            with source.open() as stream:
                loaded = load_json(stream.read(self._max_bytes + 1), max_bytes=self._max_bytes)
            if isinstance(loaded, JsonProblem):
                problems.append(_problem_issue(source.name, loaded))
            else:
                problems.extend(_problem_issue(source.name, note) for note in loaded.notes)
                documents.append((source.name, loaded))
        declared = [code for _, document in documents if (code := _declared_la(document.value)) is not None]
        yield SubmissionHeader(format_id=FORMAT_ID, la_code=declared[0] if declared else self.la_code)
        yield from problems
        index = 0
        seen: set[str] = set()
        for name, document in documents:
            for event in _FileReader(self, name, document, seen).read(index):
                if isinstance(event, ChildRecord):
                    index += 1
                yield event


def _problem_issue(file: str, problem: JsonProblem) -> Issue:
    return Issue(
        rule=problem.rule,
        severity=problem.severity,
        message=problem.message,
        location=SourceLocation(file=file, line=problem.line, path=problem.pointer),
    )


def _declared_la(value: Any) -> str | None:
    if isinstance(value, dict) and "Children" in value:
        code = value.get("la_code")
        text = str(code) if isinstance(code, int | str) and not isinstance(code, bool) else ""
        return text if len(text) == 3 and text.isascii() and text.isdigit() else None
    return None


class _FileReader:
    """Reads the children of one payload file."""

    def __init__(self, reader: DfeApiReader, file: str, document: JsonDocument, seen: set[str]) -> None:
        self.reader = reader
        self.file = file
        self.document = document
        self.seen = seen
        self.not_carried: Counter[str] = Counter()
        self.first_place: dict[str, str] = {}
        self.la_code = reader.la_code

    def read(self, first_index: int) -> Iterator[ReadEvent]:
        value = self.document.value
        children: list[tuple[str, Any]]
        if isinstance(value, dict) and "Children" in value:
            yield from self._check_la(value)
            listed = value["Children"]
            children = (
                [(f"/Children/{i}", item) for i, item in enumerate(listed)]
                if isinstance(listed, list)
                else [("/Children", listed)]
            )
            unknown = [key for key in value if key not in ("la_code", "Children")]
            for key in unknown:
                yield self._located(
                    Issue(
                        rule="read/dfe-api/unknown-member",
                        severity="warning",
                        message="a top-level member is not part of the payload; it was ignored",
                        location=SourceLocation(file=self.file, path=f"/{escape_pointer(key)}"),
                    )
                )
        elif isinstance(value, list):
            children = [(f"/{i}", item) for i, item in enumerate(value)]
        elif isinstance(value, dict) and "la_child_id" in value:
            children = [("", value)]
        else:
            yield self._located(
                Issue(
                    rule="read/dfe-api/shape",
                    severity="error",
                    message='the file is not a DfE CSC API payload ({"la_code", "Children"}, an array of children, '
                    "or one child)",
                    location=SourceLocation(file=self.file, path="/"),
                )
            )
            return
        if self.la_code is None and children:
            yield self._located(
                Issue(
                    rule="read/dfe-api/la-code-missing",
                    severity="error",
                    message="neither the payload nor the submission names the LA; "
                    "LA child ids were read without their LA",
                    location=SourceLocation(file=self.file, path="/"),
                )
            )
        index = first_index
        for pointer, child in children:
            for event in self._child(pointer, child, index):
                if isinstance(event, ChildRecord):
                    index += 1
                yield event
        for section, count in sorted(self.not_carried.items()):
            yield self._located(
                Issue(
                    rule="map/dfe-api/not-carried",
                    severity="information",
                    message=f"{count} child(ren) have {_NOT_CARRIED[section]} data, which the canonical model "
                    "does not hold; it was not carried",
                    location=SourceLocation(file=self.file, path=self.first_place[section]),
                )
            )

    def _check_la(self, value: dict[str, Any]) -> Iterator[Issue]:
        declared = _declared_la(value)
        if declared is None:
            yield self._located(
                Issue(
                    rule="read/dfe-api/la-code",
                    severity="error",
                    message="la_code must be the three-digit DfE LA number",
                    location=SourceLocation(file=self.file, path="/la_code"),
                )
            )
        else:
            self.la_code = declared

    def _located(self, issue: Issue, *, fallback: str = "") -> Issue:
        """The issue with its line in the file (the line index is built only when there are issues).

        An issue the mapping engine could not place (no lineage for the field) is placed at ``fallback``.
        """
        location = issue.location
        if location is None:
            location = SourceLocation(file=self.file, path=fallback or "/")
            issue = issue.model_copy(update={"location": location})
        if location.path is None or location.line is not None:
            return issue
        pointer = "" if location.path == "/" else location.path
        return issue.model_copy(
            update={"location": location.model_copy(update={"line": self.document.line_of(pointer)})}
        )

    def _skip(self, section: str, pointer: str) -> None:
        self.not_carried[section] += 1
        self.first_place.setdefault(section, pointer)

    def _child(self, pointer: str, child: Any, index: int) -> Iterator[ReadEvent]:
        if not isinstance(child, dict):
            yield self._located(
                Issue(
                    rule="read/dfe-api/shape",
                    severity="error",
                    message="a child must be a JSON object",
                    location=SourceLocation(file=self.file, path=pointer or "/"),
                )
            )
            return
        bad = [problem.pointer or "" for problem in self.document.bad_strings]
        inside = [item for item in bad if item == pointer or item.startswith(f"{pointer}/")]
        if inside:
            for item in inside:
                yield self._located(
                    Issue(
                        rule="read/json-control-character",
                        severity="error",
                        message="a string holds a control character or an unpaired surrogate; the child was not read",
                        location=SourceLocation(file=self.file, path=item),
                    )
                )
            return
        la_child_id = child.get("la_child_id") if isinstance(child.get("la_child_id"), str) else None
        flat = Flattened()
        flatten(child, CHILD, file=self.file, pointer=pointer, into=flat, child=la_child_id)
        details = child.get("child_details")
        if isinstance(details, dict):
            flatten(
                details,
                CHILD_DETAILS,
                file=self.file,
                pointer=f"{pointer}/child_details",
                into=flat,
                child=la_child_id,
                rename={"purge": "details_purge"},
            )
        if not (la_child_id or "").strip():
            flat.note(
                "read/dfe-api/la-child-id-missing",
                "error",
                "the child has no la_child_id; it is needed to identify the child",
                self.file,
                pointer or "/",
                child=None,
            )
        elif self.la_code is not None:
            flat.values["$la_code"] = self.la_code
        if "mis_child_id" in flat.values:
            self._skip("mis_child_id", flat.locations["mis_child_id"]["path"])
        health = child.get("health_and_wellbeing")
        if isinstance(health, dict):
            if _objects(health.get("sdq_assessments")) or health.get("purge") is True:
                self._skip("health_and_wellbeing", f"{pointer}/health_and_wellbeing")
            health_flat = Flattened()  # not carried, but its members' types are still checked and reported
            flatten(
                health,
                HEALTH,
                file=self.file,
                pointer=f"{pointer}/health_and_wellbeing",
                into=health_flat,
                child=la_child_id,
            )
            flat.issues.extend(health_flat.issues)
        builder = RecordBuilder(child=la_child_id, record_index=index)
        if isinstance(details, dict) and details.get("uasc_flag") is True:
            builder.set("/uasc", {}, location=flat.locations["uasc_flag"], step="dfe-csc-api/child:uasc_flag")
        library = self.reader.library
        spec = library.get("dfe-csc-api/child")
        row = SourceRow(flat.values, file=self.file, locations=flat.locations)
        builder.add(spec, spec.apply(row, child=la_child_id, prefix=builder.next_prefix(spec)))
        issues = list(flat.issues)
        for position, episode in _objects(child.get("social_care_episodes")):
            issues.extend(self._episode(builder, f"{pointer}/social_care_episodes/{position}", episode, la_child_id))
        record = builder.build()
        for issue in (*issues, *builder.issues):
            yield self._located(issue, fallback=pointer)
        if la_child_id is not None:
            if la_child_id in self.seen:
                yield self._located(
                    Issue(
                        rule="read/dfe-api/duplicate-child",
                        severity="warning",
                        message="an earlier child in the submission has the same la_child_id; both were read",
                        location=SourceLocation(file=self.file, path=f"{pointer}/la_child_id"),
                        child=la_child_id,
                    )
                )
            self.seen.add(la_child_id)
        if record is not None:
            yield record

    def _episode(self, builder: RecordBuilder, pointer: str, episode: dict[str, Any], child: str | None) -> list[Issue]:
        flat = Flattened()
        flatten(episode, EPISODE, file=self.file, pointer=pointer, into=flat, child=child)
        library = self.reader.library
        spec = library.get("dfe-csc-api/social-care-episode")
        builder.add(
            spec,
            spec.apply(
                SourceRow(flat.values, file=self.file, locations=flat.locations),
                child=child,
                prefix=builder.next_prefix(spec),
            ),
        )
        issues = list(flat.issues)
        context: dict[str, str] = {}
        context_locations: dict[str, dict[str, Any]] = {}
        if "social_care_episode_id" in flat.values:
            context["$episode_id"] = flat.values["social_care_episode_id"].strip()
            context_locations["$episode_id"] = flat.locations["social_care_episode_id"]
        for member, (mapping_id, members) in EPISODE_LISTS.items():
            item_spec = library.get(mapping_id)
            for position, item in _objects(episode.get(member)):
                item_flat = Flattened()
                where = f"{pointer}/{member}/{position}"
                flatten(item, members, file=self.file, pointer=where, into=item_flat, child=child)
                row = SourceRow(
                    {**item_flat.values, **context},
                    file=self.file,
                    locations={**item_flat.locations, **context_locations},
                )
                builder.add(item_spec, item_spec.apply(row, child=child, prefix=builder.next_prefix(item_spec)))
                issues.extend(item_flat.issues)
        for section, (mapping_id, members) in _EPISODE_PARTS.items():
            part = episode.get(section)
            if isinstance(part, dict):
                part_flat = Flattened()
                flatten(part, members, file=self.file, pointer=f"{pointer}/{section}", into=part_flat, child=child)
                issues.extend(part_flat.issues)
                if any(value not in (None, False) for value in part.values()):
                    part_spec = library.get(mapping_id)
                    row = SourceRow(part_flat.values, file=self.file, locations=part_flat.locations)
                    builder.add(part_spec, part_spec.apply(row, child=child, prefix=builder.next_prefix(part_spec)))
        return issues


def _objects(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The items of a list of objects that are objects, with their positions.

    :func:`~adapters.dfe_api.shape.flatten` has already reported a value that is not a list and each item
    that is not an object (``read/dfe-api/type``), so what is left out here is never left out silently.
    """
    if not isinstance(value, list):
        return []
    return [(position, item) for position, item in enumerate(value) if isinstance(item, dict)]
