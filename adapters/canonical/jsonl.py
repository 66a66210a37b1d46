"""Read and write canonical child records as JSON Lines.

Each non-blank line is one JSON object with the shape of ``gateway.ChildRecord`` (see
``schemas/canonical/child-record.schema.json``). Lines are validated one by one: a bad line becomes an
issue located by line and JSON pointer, and the other lines still load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import orjson
from pydantic import ValidationError

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
        try:
            data = orjson.loads(raw)  # refuses NaN/Infinity and invalid UTF-8
        except orjson.JSONDecodeError:
            yield Issue(rule="read/json-syntax", severity="error", message="line is not valid JSON", location=where)
            return
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


class CanonicalJsonlWriter:
    """Writes canonical JSON Lines."""

    format_id = FORMAT_ID
    media_type = "application/x-ndjson"

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        return b"".join(
            orjson.dumps(record.model_dump(mode="json", exclude_defaults=True)) + b"\n" for record in records
        )
