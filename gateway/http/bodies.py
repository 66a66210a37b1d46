"""Submission bodies: the file itself (its content type names or hints at the format) or multipart parts.

Shared by ``POST /v1/messages`` and ``POST /v1/$validate``.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

__all__ = ["CONTENT_TYPES", "MULTIPART", "SUBMISSION_BODY", "read_submission"]

MULTIPART: Final = "multipart/form-data"

CONTENT_TYPES: Final[dict[str, tuple[str | None, str]]] = {
    "application/fhir+json": ("fhir-r4-json", "payload.json"),
    "application/x-ndjson": ("canonical-jsonl", "payload.jsonl"),
    "application/jsonl": ("canonical-jsonl", "payload.jsonl"),
    "application/json": (None, "payload.json"),
    "application/xml": (None, "payload.xml"),
    "text/xml": (None, "payload.xml"),
    "text/csv": (None, "payload.csv"),
    "application/octet-stream": (None, "payload"),
}
"""Content type -> (the format it names, or ``None`` to detect; the file name the readers see)."""

_MAX_FILES: Final = 20

SUBMISSION_BODY: Final[dict[str, Any]] = {
    "required": True,
    "description": "The supplier's file, or several files of one submission as multipart/form-data",
    "content": {
        **{media: {"schema": {"type": "string", "format": "binary"}} for media in CONTENT_TYPES},
        MULTIPART: {
            "schema": {
                "type": "object",
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
            }
        },
    },
}
"""The OpenAPI ``requestBody`` of both routes (they read the body themselves)."""


def _part_name(upload: UploadFile, position: int) -> str:
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    return name or f"part-{position}"


async def read_submission(
    request: Request, *, filename: str | None, format_id: str | None, max_part: int
) -> tuple[list[tuple[str, bytes]], str | None]:
    """The files of the submission and the format (named, implied by the content type, or ``None``).

    415 for a content type that is not listed, 422 for an empty body or a multipart body without files.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == MULTIPART:
        form = await request.form(max_files=_MAX_FILES, max_fields=_MAX_FILES, max_part_size=max_part)
        files: list[tuple[str, bytes]] = []
        try:
            for _key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files.append((_part_name(value, len(files) + 1), await value.read()))
        finally:
            await form.close()
        if not files:
            raise HTTPException(status_code=422, detail="a multipart submission needs at least one file part")
        return files, format_id
    if media not in CONTENT_TYPES:
        raise HTTPException(status_code=415, detail="unsupported content type; see the API description")
    body = b"".join([chunk async for chunk in request.stream()])
    if not body:
        raise HTTPException(status_code=422, detail="the request body is empty: send the file as the body")
    implied, default_name = CONTENT_TYPES[media]
    return [(filename or default_name, body)], format_id or implied
