"""Structural validation of resources with fhir.resources' R4B models; pydantic errors become issues.

Each resource is validated on its own (not the whole Bundle at once), so one broken resource is dropped
with its issues while the rest of the Bundle still maps. Error locations become JSON pointers into the
supplier's file. Messages name the element and the rule, never the value: pydantic's text is used only
for error types whose text cannot contain the input.

fhir.resources is imported on first use (it is heavy), never when the adapter package is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, Final

from adapters._json import escape_pointer

__all__ = [
    "MAPPED_TYPES",
    "REFERENCED_TYPES",
    "Problem",
    "is_resource_type",
    "validate_bundle_shell",
    "validate_resource",
]

MAPPED_TYPES: Final = frozenset(
    {"Patient", "RelatedPerson", "CareTeam", "Encounter", "QuestionnaireResponse", "Consent"}
)
"""Resources that map to canonical records."""
REFERENCED_TYPES: Final = frozenset({"Practitioner", "PractitionerRole", "Organization"})
"""Resources read only when a mapped resource references them."""

Problem = tuple[str, str, str]
"""(rule, message, JSON pointer relative to the validated object)."""

# pydantic error types whose message is built from the schema only (never from the input value).
_SAFE_MESSAGE_TYPES: Final = frozenset(
    {
        "bool_type", "bool_parsing", "dict_type", "float_type", "int_type", "int_parsing", "list_type",
        "literal_error", "string_type", "string_pattern_mismatch", "string_too_short", "string_too_long",
        "model_type", "model_attributes_type", "greater_than", "greater_than_equal", "less_than_equal",
        "int_from_float", "float_parsing", "decimal_parsing", "decimal_type", "url_parsing", "url_type",
    }
)  # fmt: skip
_ELEMENT_NAME: Final = re.compile(r"_?[a-z][A-Za-z0-9]{0,63}")
"""What a FHIR element name looks like: only such keys are named in messages (a key is supplier data)."""
_GENERIC: Final = {
    "missing": "a required element is missing",
    "model_field_validation.missing": "a required element is missing",
    "extra_forbidden": "the element is not part of this FHIR R4 resource",
    "fhir-validation-wrong-resource-type": "the resourceType does not match the resource",
}


@cache
def _model_class(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class  # noqa: PLC0415 - heavy, loaded on first use

    return get_fhir_model_class(resource_type)


@cache
def is_resource_type(name: str) -> bool:
    """True when ``name`` is an R4B resource type (so it may be named in a message)."""
    try:
        _model_class(name)
    except Exception:  # unknown names raise a KeyError or an import error, depending on the name
        return False
    return True


def validate_resource(resource: dict[str, Any]) -> list[Problem]:
    """Validate one resource against its R4B model; the problems found (empty when valid)."""
    return _validate(_model_class(str(resource["resourceType"])), resource)


def validate_bundle_shell(bundle: dict[str, Any]) -> list[Problem]:
    """Validate a Bundle without its entries' resources (they are validated one by one)."""
    shell = dict(bundle)
    entries = bundle.get("entry")
    if isinstance(entries, list):
        shell["entry"] = [
            {key: value for key, value in item.items() if key != "resource"} if isinstance(item, dict) else item
            for item in entries
        ]
    return _validate(_model_class("Bundle"), shell)


def _validate(model: Any, data: dict[str, Any]) -> list[Problem]:
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        model.model_validate(data)
    except ValidationError as exc:
        return list(_problems(exc.errors(include_url=False, include_context=False), data))
    except Exception:  # fhir.resources raising something other than a ValidationError on odd input
        return [("read/fhir-invalid", "the resource could not be validated as FHIR R4", "")]
    return []


def _problems(errors: Sequence[Any], data: dict[str, Any]) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for error in errors:
        pointer, element = _pointer(data, tuple(error.get("loc", ())))
        kind = str(error.get("type", "invalid"))
        message = _message(kind, str(error.get("msg", "")))
        key = (pointer, message)
        if key in seen:
            continue
        seen.add(key)
        rule_kind = kind.removeprefix("model_field_validation.").removeprefix("fhir-validation-")
        named = element if _ELEMENT_NAME.fullmatch(element) else "an element"
        yield f"read/fhir-invalid/{rule_kind}", f"{named if element else 'resource'}: {message}", pointer


def _message(kind: str, text: str) -> str:
    if kind in _GENERIC:
        return _GENERIC[kind]
    if kind in _SAFE_MESSAGE_TYPES:
        return text
    if kind in ("value_error", "assertion_error"):
        return "the value does not conform to its FHIR datatype or a FHIR rule"
    return "the value is not valid for this element"


def _pointer(data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """The JSON pointer of an error location, skipping pydantic's internal tags; and the element name."""
    parts: list[str] = []
    element = ""
    node = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114 - typed branches
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif (
            last
            and isinstance(part, str)
            and part not in ("root", "__root__")
            and not part.startswith(("function-", "json-"))
        ):
            node = None
        else:
            continue
        parts.append(escape_pointer(part))
        if isinstance(part, str):
            element = part
    return "".join(f"/{part}" for part in parts), element
