"""Why an element failed the ics-xml schema, as issues a supplier can act on (and that carry no personal data).

lxml only says yes or no quickly; for the elements that fail, :mod:`xmlschema` (built from the same
vendored XSD) lists every problem with its element, and this module turns each into an
:class:`~gateway.Issue` located by line and XPath. Messages name the element, attribute and rule — the
expected elements, the allowed codes, the required format — and never the value sent, not even in a coded
field: a shifted column in a supplier's export puts names into code fields. When xmlschema cannot
explain a failure (it gives up on some ``xsi:type`` values), lxml's own error log is used, reduced to the
element name and line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import cache
from typing import Any, Final

from lxml import etree

from adapters.ics_xml.elements import CHILD_RECORD
from adapters.ics_xml.layout import OWN_TEXT, Group, Layout, Part, Value
from adapters.ics_xml.schema import NAMESPACE, ics_schema
from gateway import Issue, SourceLocation

__all__ = ["element_path", "iter_schema_issues"]

logger = logging.getLogger(__name__)

_NS_PREFIX: Final = f"{{{NAMESPACE}}}"
_XSI_PREFIX: Final = "{http://www.w3.org/2001/XMLSchema-instance}"
_QUOTED: Final = re.compile(r"'([^']{1,64})'")
_ATTRIBUTE_REASON: Final = re.compile(r"^attribute ([^=\s]{1,64})=")
_LXML_ELEMENT: Final = re.compile(r"^Element '([^']{1,200})'(?:, attribute '([^']{1,200})')?")

_PATTERNS: Final = {
    "[0-9]{10}": "ten digits with no spaces (an NHS number)",
    "[0-9]{3}": "a three-digit DfE LA number",
    "[A-Za-z0-9]{13}": "13 letters or digits (a UPN)",
    "[0-9]{4}-[0-9]{2}-[0-9]{2}": "a date written YYYY-MM-DD, without a time zone",
}
_INSTANT: Final = "a date and time with a time zone, e.g. 2026-01-05T09:30:00Z"
_BUILTINS: Final = {
    "date": "a valid calendar date (YYYY-MM-DD)",
    "dateTime": _INSTANT,
    "boolean": "true or false",
    "positiveInteger": "a whole number of 1 or more",
    "nonNegativeInteger": "a whole number of 0 or more",
    "integer": "a whole number",
}


def _display(tag: object) -> str:
    if not isinstance(tag, str):
        return "a node"
    if tag.startswith(_XSI_PREFIX):
        return "xsi:" + tag[len(_XSI_PREFIX) :]
    if tag.startswith(_NS_PREFIX):
        return tag[len(_NS_PREFIX) :]
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return f"{local} (namespace {namespace})"
    return f"{tag} (no namespace)"


@cache
def _repeatable() -> frozenset[tuple[str, str]]:
    """(parent element, child element) pairs where the child may repeat, from the layouts."""
    pairs: set[tuple[str, str]] = set()
    seen: set[tuple[int, str]] = set()

    def walk(layout: Layout, element: str) -> None:
        if (id(layout), element) in seen:
            return
        seen.add((id(layout), element))
        members(layout.members, element)

    def members(items: tuple[Value | Part | Group, ...], element: str) -> None:
        for member in items:
            if isinstance(member, Group):
                members(member.members, member.tag)
                continue
            holder = member.wrapper or element
            if member.repeat:
                pairs.add((holder, member.tag))
            if isinstance(member, Part):
                walk(member.layout, element if member.tag == OWN_TEXT else member.tag)

    walk(CHILD_RECORD, "Child")
    return frozenset(pairs)


def element_path(element: etree._Element, root: etree._Element, root_path: str) -> str:
    """XPath (local names) of ``element`` inside ``root``, whose own path is ``root_path``."""
    steps: list[str] = []
    current: etree._Element | None = element
    while current is not None and current is not root:
        parent = current.getparent()
        name = _display(current.tag)
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == current.tag]
            parent_name = _display(parent.tag)
            if len(same) > 1 or (parent_name, name) in _repeatable():
                name = f"{name}[{same.index(current) + 1}]"
        steps.append(name)
        current = parent
    if current is None:  # not inside root: should not happen, but never raise
        return root_path
    return root_path + "".join(f"/{step}" for step in reversed(steps))


def _value_problem(validator: Any, obj: object) -> str:
    kind = type(validator).__name__
    if kind == "XsdEnumerationFacets":
        allowed = ", ".join(str(code) for code in validator.enumeration)
        hint = ""
        if isinstance(obj, str) and obj.casefold() in {str(code).casefold() for code in validator.enumeration}:
            hint = " (the value sent differs from one of them only in letter case)"
        return f"must be one of the codes {allowed}{hint}"
    if kind == "XsdPatternFacets":
        for regexp in getattr(validator, "regexps", ()):
            if regexp in _PATTERNS:
                return f"must be {_PATTERNS[regexp]}"
            if regexp.startswith("[0-9]{4}-[0-9]{2}-[0-9]{2}T"):
                return f"must be {_INSTANT}"
        return "is not in the required format"
    if kind in ("XsdMinLengthFacet", "XsdLengthFacet") and getattr(validator, "value", None) == 1:
        return "must not be empty"
    if kind == "XsdMaxLengthFacet":
        return f"is longer than the {validator.value} characters allowed"
    if kind in ("XsdMinInclusiveFacet", "XsdMinExclusiveFacet", "XsdMaxInclusiveFacet", "XsdMaxExclusiveFacet"):
        return "is out of the allowed range"
    name = getattr(validator, "local_name", None) or ""
    if name in _BUILTINS:
        return f"must be {_BUILTINS[name]}"
    return "is not a valid value here"


def _unexpected(invalid: etree._Element, parent: str, wanted: str, validator: Any) -> str:
    """Why ``invalid`` may not be where it is: out of order, repeated, or not part of ``parent`` at all."""
    name = _display(invalid.tag)
    declared = [_display(item.name) for item in getattr(validator, "iter_elements", list)()]
    previous = invalid.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    before = _display(previous.tag) if previous is not None else None
    if name in declared and before == name:
        return f"<{name}> may appear only once in <{parent}>"
    if name in declared and before in declared and declared.index(name) < declared.index(before):
        return f"<{name}> must come before <{before}> in <{parent}> (elements appear in the order the schema declares)"
    message = f"<{name}> is not expected here in <{parent}>"
    if wanted:
        message += f"; expected {wanted}"
    return message


def _issue(rule: str, message: str, *, file: str, line: int | None, path: str, child: str | None) -> Issue:
    return Issue(
        rule=rule,
        severity="error",
        message=message,
        location=SourceLocation(file=file, line=line, path=path),
        child=child,
    )


def _explain(error: Any, root: etree._Element, root_path: str, file: str, child: str | None) -> Issue:
    element = error.elem if isinstance(error.elem, etree._Element) else root
    path = element_path(element, root, root_path)
    line = element.sourceline
    name = _display(element.tag)
    validator = error.validator
    kind = type(validator).__name__
    reason = str(error.reason or "")
    if type(error).__name__ == "XMLSchemaChildrenValidationError":
        expected = [_display(getattr(item, "name", None)) for item in (error.expected or ())]
        wanted = " or ".join(f"<{item}>" for item in expected)
        invalid = error.invalid_child
        if invalid is not None and isinstance(invalid, etree._Element):
            message = _unexpected(invalid, name, wanted, validator)
            return _issue(
                "xsd/unexpected-element",
                message,
                file=file,
                line=invalid.sourceline,
                path=element_path(invalid, root, root_path),
                child=child,
            )
        message = f"<{name}> is incomplete: {wanted or 'a required element'} is missing"
        return _issue("xsd/missing-element", message, file=file, line=line, path=path, child=child)
    if kind in ("XsdAttributeGroup", "XsdAttribute"):
        match = _QUOTED.search(reason)
        attribute = match.group(1) if match else "an attribute"
        if "missing" in reason or "required" in reason:
            message = f"<{name}> needs the attribute {attribute}"
            return _issue("xsd/missing-attribute", message, file=file, line=line, path=path, child=child)
        message = f"the attribute {attribute} is not allowed on <{name}>"
        return _issue(
            "xsd/unexpected-attribute", message, file=file, line=line, path=f"{path}/@{attribute}", child=child
        )
    if kind == "XsdGroup" or "character data" in reason:
        message = f"text is not allowed directly inside <{name}>; put each value in its own element"
        return _issue("xsd/text-not-allowed", message, file=file, line=line, path=path, child=child)
    if kind == "XsdElement":
        if "nillable" in reason:
            message = f"xsi:nil is not allowed on <{name}>; leave the element out instead"
            return _issue("xsd/invalid-value", message, file=file, line=line, path=path, child=child)
        if "child elements" in reason:
            message = f"<{name}> holds a value and cannot contain elements"
            return _issue("xsd/unexpected-element", message, file=file, line=line, path=path, child=child)
    attribute_match = _ATTRIBUTE_REASON.match(reason)
    problem = _value_problem(validator, error.obj)
    if attribute_match:
        attribute = attribute_match.group(1)
        return _issue(
            "xsd/invalid-attribute",
            f"the attribute {attribute} of <{name}> {problem}",
            file=file,
            line=line,
            path=f"{path}/@{attribute}",
            child=child,
        )
    return _issue("xsd/invalid-value", f"<{name}> {problem}", file=file, line=line, path=path, child=child)


def _from_lxml(log: Any, root: etree._Element, root_path: str, file: str, child: str | None) -> Iterator[Issue]:
    """Fallback: lxml's error log, reduced to element, attribute and line (its messages quote values)."""
    for entry in log:
        match = _LXML_ELEMENT.match(str(entry.message))
        tag = match.group(1) if match else None
        attribute = match.group(2) if match else None
        found = root
        for candidate in root.iter(tag) if tag else ():
            if candidate.sourceline == entry.line:
                found = candidate
                break
        path = element_path(found, root, root_path)
        target = f"<{_display(tag)}>" if tag else "an element"
        if attribute:
            target = f"the attribute {_display(attribute)} of {target}"
            path = f"{path}/@{_display(attribute)}"
        yield _issue(
            "xsd/invalid",
            f"{target} does not conform to the ics-xml schema",
            file=file,
            line=entry.line or None,
            path=path,
            child=child,
        )


def iter_schema_issues(element: etree._Element, *, file: str, path: str, child: str | None = None) -> Iterator[Issue]:
    """Every schema problem of ``element`` (an ``IcsExchange``, ``Header`` or ``Child`` at ``path``).

    Yields nothing when the element is valid. Never raises on bad data.
    """
    schema = ics_schema()
    if schema.validator.validate(element):
        return
    lxml_log = schema.validator.error_log
    issues: list[Issue] = []
    try:
        for error in schema.explainer.iter_errors(element, use_location_hints=False):
            issues.append(_explain(error, element, path, file, child))
    except Exception:  # xmlschema gives up on some inputs (e.g. an unknown xsi:type); lxml's log still has them
        logger.info("xmlschema could not explain a schema failure; using lxml's error log", exc_info=False)
        issues = []
    if not issues:
        issues = list(_from_lxml(lxml_log, element, path, file, child))
    if not issues:  # never report an invalid element without saying so
        issues = [
            _issue(
                "xsd/invalid",
                "the element does not conform to the ics-xml schema",
                file=file,
                line=element.sourceline,
                path=path,
                child=child,
            )
        ]
    seen: set[tuple[str, str | None]] = set()
    for issue in issues:
        key = (issue.rule, issue.location.path if issue.location else None)
        if key not in seen:
            seen.add(key)
            yield issue
