"""Read and write canonical child records as JSON Lines.

Each non-blank line is one JSON object with the shape of ``gateway.ChildRecord`` (see
``schemas/canonical/child-record.schema.json``). Lines are validated one by one: a bad line becomes an
issue located by line and JSON pointer, and the other lines still load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import orjson
from pydantic import ValidationError

from adapters._json import JsonProblem, load_json
from gateway import ChildRecord, Issue, ReadEvent, SourceFile, SourceLocation, SubmissionHeader

__all__ = ["FORMAT_ID", "CanonicalJsonlReader", "CanonicalJsonlWriter"]

FORMAT_ID = "canonical-jsonl"
_MAX_LINE_BYTES = 1_000_000


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in loc)


class CanonicalJsonlReader:
    """Reads canonical JSON Lines."""

    format_id = FORMAT_ID
    description = "Canonical child records as JSON Lines (one gateway.ChildRecord per line)"

    def sniff(self, name: str, head: bytes) -> bool:
        return name.endswith((".jsonl", ".ndjson")) and head.lstrip().startswith(b'{"child"')

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        yield SubmissionHeader(format_id=FORMAT_ID, format_version="1.0")
        for source in files:
            with source.open() as stream:
                for number, raw in enumerate(stream, start=1):
                    yield from self._read_line(source.name, number, raw)

    def _read_line(self, file: str, number: int, raw: bytes) -> Iterator[ReadEvent]:
        if not raw.strip():
            return
        where = SourceLocation(file=file, line=number)
        if len(raw) > _MAX_LINE_BYTES:
            yield Issue(rule="read/too-large", severity="error", message="line longer than 1 MB", location=where)
            return
        # The hardened loader: refuses NaN/Infinity, invalid UTF-8, duplicate keys, huge numbers, deep nesting
        # and control characters (NUL ...) inside strings, each located.
        loaded = load_json(raw, max_bytes=_MAX_LINE_BYTES)
        if isinstance(loaded, JsonProblem):
            yield self._problem(file, number, loaded)
            return
        if loaded.bad_strings:
            for problem in loaded.bad_strings:
                yield self._problem(file, number, problem)
            return
        for note in loaded.notes:
            yield self._problem(file, number, note)
        data = loaded.value
        if not isinstance(data, dict):
            yield Issue(rule="read/json-shape", severity="error", message="line is not a JSON object", location=where)
            return
        try:
            yield ChildRecord.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_input=False, include_url=False):
                yield Issue(
                    rule=f"read/schema/{error['type']}",
                    severity="error",
                    message=str(error["msg"]),
                    location=SourceLocation(file=file, line=number, path=_pointer(error["loc"])),
                )

    @staticmethod
    def _problem(file: str, number: int, problem: JsonProblem) -> Issue:
        return Issue(
            rule=problem.rule,
            severity=problem.severity,
            message=problem.message,
            location=SourceLocation(file=file, line=number, path=problem.pointer),
        )


class CanonicalJsonlWriter:
    """Writes canonical JSON Lines."""

    format_id = FORMAT_ID
    media_type = "application/x-ndjson"

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        return b"".join(
            orjson.dumps(record.model_dump(mode="json", exclude_defaults=True)) + b"\n" for record in records
        )
