"""Loading a submission's files into the resource pool: hardened JSON, then R4B validation per resource.

File-level problems (not JSON, not UTF-8, too deep, duplicate keys, NaN, a broken Bundle) reject the file.
Resource-level problems (a control character in one resource, a resource fhir.resources rejects) drop
that resource only, so the rest of a Bundle still maps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Final

from adapters._json import JsonProblem, load_json
from adapters.fhir.context import Entry, LoadedFile, issue_at
from adapters.fhir.pool import ResourcePool
from adapters.fhir.validation import (
    MAPPED_TYPES,
    REFERENCED_TYPES,
    is_resource_type,
    validate_bundle_shell,
    validate_resource,
)
from gateway import Issue, SourceFile, SourceLocation

__all__ = ["load_files"]

_BUNDLE_TYPES: Final = frozenset(
    {
        "document",
        "message",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "history",
        "searchset",
        "collection",
    }
)
_TYPE_NAME: Final = re.compile(r"[A-Z][A-Za-z]{1,63}")


def load_files(files: Sequence[SourceFile], pool: ResourcePool, max_bytes: int) -> Iterator[Issue]:
    """Parse and validate every file into ``pool``; yields the issues found on the way."""
    for source in files:
        yield from _load_file(source, pool, max_bytes)


def _problem_issue(name: str, problem: JsonProblem) -> Issue:
    return Issue(
        rule=problem.rule,
        severity=problem.severity,
        message=problem.message,
        location=SourceLocation(file=name, line=problem.line, path=problem.pointer),
    )


def _load_file(source: SourceFile, pool: ResourcePool, max_bytes: int) -> Iterator[Issue]:
    with source.open() as stream:
        data = stream.read(max_bytes + 1)
    loaded = load_json(data, max_bytes=max_bytes)
    if isinstance(loaded, JsonProblem):
        yield _problem_issue(source.name, loaded)
        return
    for note in loaded.notes:
        yield _problem_issue(source.name, note)
    file = LoadedFile(source.name, loaded)
    root = loaded.value
    if not isinstance(root, dict) or not isinstance(root.get("resourceType"), str):
        yield issue_at(
            "read/fhir-not-a-resource", "error", "the file is not a FHIR resource (no resourceType)", file, ""
        )
        return
    bad = [problem.pointer or "" for problem in loaded.bad_strings]
    ignored: Counter[str] = Counter()
    if root["resourceType"] == "Bundle":
        yield from _load_bundle(root, file, bad, pool, ignored)
    else:
        yield from _load_resource(root, file, "", None, bad=bad, pool=pool, ignored=ignored)
    for resource_type, count in sorted(ignored.items()):
        yield issue_at(
            "map/fhir/resource-not-mapped",
            "information",
            f"{count} {resource_type} resource(s) are not mapped to the canonical model and were ignored",
            file,
            "",
        )


def _load_bundle(
    bundle: dict[str, Any], file: LoadedFile, bad: list[str], pool: ResourcePool, ignored: Counter[str]
) -> Iterator[Issue]:
    outside = [pointer for pointer in bad if not re.match(r"/entry/[0-9]+/resource(/|$)", pointer)]
    if outside:
        for pointer in outside:
            yield _string_issue(file, pointer)
        return
    problems = validate_bundle_shell(bundle)
    if problems:
        for rule, message, pointer in problems:
            yield issue_at(rule, "error", f"Bundle {message}", file, pointer)
        return
    if bundle.get("type") not in _BUNDLE_TYPES:
        yield issue_at("read/fhir-bundle-type", "warning", "Bundle.type is not a FHIR bundle type", file, "/type")
    for index, item in enumerate(bundle.get("entry") or ()):
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            continue
        full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else None
        yield from _load_resource(
            resource, file, f"/entry/{index}/resource", full_url, bad=bad, pool=pool, ignored=ignored
        )


def _string_issue(file: LoadedFile, pointer: str) -> Issue:
    return issue_at(
        "read/json-control-character",
        "error",
        "a string holds a control character or an unpaired surrogate, which FHIR forbids; the resource was not read",
        file,
        pointer,
    )


def _load_resource(
    resource: dict[str, Any],
    file: LoadedFile,
    pointer: str,
    full_url: str | None,
    *,
    bad: list[str],
    pool: ResourcePool,
    ignored: Counter[str],
) -> Iterator[Issue]:
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str) or not _TYPE_NAME.fullmatch(resource_type):
        yield issue_at(
            "read/fhir-not-a-resource", "error", "an entry's resource has no valid resourceType", file, pointer
        )
        return
    if resource_type not in MAPPED_TYPES and resource_type not in REFERENCED_TYPES:
        ignored[resource_type if is_resource_type(resource_type) else "unknown-type"] += 1
        return
    inside = [item for item in bad if item == pointer or item.startswith(f"{pointer}/")]
    if inside:
        for item in inside:
            yield _string_issue(file, item)
        return
    problems = validate_resource(resource)
    if problems:
        for rule, message, path in problems:
            yield issue_at(
                rule, "error", f"{resource_type} {message}; the resource was not read", file, f"{pointer}{path}"
            )
        return
    if not pool.add(Entry(resource=resource, file=file, pointer=pointer, full_url=full_url)):
        yield issue_at(
            "read/fhir-duplicate-resource",
            "error",
            f"another {resource_type} in the submission has the same fullUrl or id; this one was not read",
            file,
            pointer,
        )
