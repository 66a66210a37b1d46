"""Why a ``<Child>`` (or ``<Header>``) fails its census schema, as issues a supplier can act on.

:mod:`xmlschema` gives structured reasons (the facet that failed, the elements expected, the offending
element); this module turns them into ``xsd/<kind>`` issues located by line and by XPath in the supplier's
file. Messages name elements, census years and code lists, never the supplied value — except a value
that has the shape of a code (a few letters and digits), which DfE's own messages name too.

Past a limit of explained children per file (xmlschema costs ~2 ms a child), the failures are located
from lxml's own error log instead, with the same rule ids and value-free messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from lxml import etree

from adapters.cin_census.census import census_label
from adapters.cin_census.schemas import CensusSchema, code_years, element_years, known_codes
from gateway import Issue, SourceLocation

__all__ = ["REPEATABLE", "element_path", "explain", "explain_from_log", "local_name"]

REPEATABLE: Final = frozenset(
    {
        "Child",
        "Source",
        "CINdetails",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
        "Disability",
        "AssessmentFactors",
        "CPPreviewDate",
    }
)
"""Elements that may repeat: their XPath steps always carry a position (``CINdetails[2]``)."""

_DATE_ELEMENTS: Final = frozenset(
    {
        "ReferenceDate",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "PersonDeathDate",
        "CINreferralDate",
        "CINclosureDate",
        "DateOfInitialCPC",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "CINPlanStartDate",
        "CINPlanEndDate",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "CPPstartDate",
        "CPPendDate",
        "CPPreviewDate",
    }
)
_FORMATS: Final = {
    "UPN": "a UPN: 13 characters, a letter, 11 digits, then a digit or a letter",
    "FormerUPN": "a UPN: 13 characters, a letter, 11 digits, then a digit or a letter",
    "LEA": "a three-digit DfE LA number",
    "SerialNo": "three or more digits",
    "Year": "a four-digit year",
    "DateTime": "a date and time, YYYY-MM-DDThh:mm:ss",
}
_CODE_LIKE: Final = re.compile(r"[A-Z0-9]{1,3}")
"""A value this short, in upper case and digits, has the shape of a code and may be named in a message."""
_MAX_NAME: Final = 60


def local_name(tag: object) -> str:
    """An element's name for messages and paths: its local name, shortened if absurdly long.

    A node that is not an element (whose lxml ``tag`` is a factory function) is described by its kind —
    ``a comment`` — rather than by the function's ``repr`` (which holds a memory address)."""
    if not isinstance(tag, str):
        return _NODE_KINDS.get(tag, "a node that is not an element")
    name = etree.QName(tag).localname if tag.startswith("{") else tag
    return name if len(name) <= _MAX_NAME else name[:_MAX_NAME] + "..."


_NODE_KINDS: Final[dict[object, str]] = {
    etree.Comment: "a comment",
    etree.ProcessingInstruction: "a processing instruction",
    etree.Entity: "an entity reference",
}


def element_path(element: etree._Element, root: etree._Element, root_path: str) -> str:
    """XPath of ``element`` in the supplier's file, given the path of ``root`` (an ancestor-or-self)."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None and node is not root:
        tag = node.tag
        name = local_name(tag)
        same = sum(1 for sibling in node.itersiblings(preceding=True) if sibling.tag == tag)
        if name in REPEATABLE or same or any(sibling.tag == tag for sibling in node.itersiblings()):
            steps.append(f"{name}[{same + 1}]")
        else:
            steps.append(name)
        node = node.getparent()
    return root_path + "".join("/" + step for step in reversed(steps))


def _years_text(years: tuple[int, ...], verb: str = "have") -> str:
    """``census 2016-17 to 2019-20 and 2024-25 to 2025-26 have it`` (runs of consecutive years)."""
    if not years:
        return "no census year's schema has it"
    if len(years) == 1:
        return f"only census {census_label(years[0])} {'has' if verb == 'have' else verb + 's'} it"
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    spans = [
        census_label(run[0]) if len(run) == 1 else f"{census_label(run[0])} to {census_label(run[-1])}" for run in runs
    ]
    return f"census {' and '.join(spans)} {verb} it"


def _names(particles: Iterable[Any]) -> list[str]:
    return [str(p.name) for p in particles if getattr(p, "name", None)]


def _value_note(name: str, value: object) -> str:
    """Name the supplied value only when it is a code: of this element in some census year, or code-shaped."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return " (it is empty)"
    return f" ('{text}')" if text in known_codes(name) or _CODE_LIKE.fullmatch(text) else ""


class _Context:
    def __init__(self, schema: CensusSchema, file: str, root: etree._Element, root_path: str, child: str | None):
        self.schema = schema
        self.file = file
        self.root = root
        self.root_path = root_path
        self.child = child

    def issue(self, kind: str, message: str, element: etree._Element | None, line: int | None = None) -> Issue:
        target = element if element is not None else self.root
        where = SourceLocation(
            file=self.file,
            line=line or target.sourceline or None,
            path=element_path(target, self.root, self.root_path),
        )
        return Issue(rule=f"xsd/{kind}", severity="error", message=message, location=where, child=self.child)

    def census(self) -> str:
        return f"census {self.schema.label}"


def _stray_text_line(parent: etree._Element) -> tuple[int | None, str]:
    """Where the non-whitespace text inside ``parent`` sits: a line and "after X" / "before X"."""
    if parent.text and parent.text.strip():
        first = next(iter(parent), None)
        return (parent.sourceline, f"before {local_name(first.tag)}" if first is not None else "")
    for node in parent:
        if node.tail and node.tail.strip():
            return (node.sourceline, f"after {local_name(node.tag)}")
    return (parent.sourceline, "")


def _children_issue(ctx: _Context, error: Any) -> Issue:
    parent = error.elem
    parent_name = local_name(parent.tag) if parent is not None else "element"
    order = _names(error.validator.iter_elements()) if hasattr(error.validator, "iter_elements") else []
    takes = f" {parent_name} takes, in order: {', '.join(order)}." if order else ""
    invalid = getattr(error, "invalid_child", None)
    if invalid is not None:
        name = local_name(invalid.tag)
        hint = _years_text(element_years(name))
        return ctx.issue(
            "unexpected-element",
            f"{name} is not allowed at this position in {parent_name} ({ctx.census()}; {hint}).{takes}",
            invalid,
        )
    expected = _names(getattr(error, "expected", None) or ())
    missing = " or ".join(expected) if expected else "an element"
    return ctx.issue("missing-element", f"{parent_name} is incomplete: {missing} is required ({ctx.census()}).", parent)


def _value_issue(ctx: _Context, error: Any) -> Issue:
    element = error.elem
    name = local_name(element.tag) if element is not None else "value"
    validator = type(error.validator).__name__
    if validator == "XsdEnumerationFacets":
        codes = list(ctx.schema.codes.get(name, ())) or [str(v) for v in getattr(error.validator, "enumeration", ())]
        value = str(error.obj).strip() if error.obj is not None else ""
        years = code_years(name, value) if value in known_codes(name) else ()
        elsewhere = f" ({_years_text(years, 'use')})" if years else ""
        return ctx.issue(
            "enumeration",
            f"{name} has a value{_value_note(name, error.obj)} that is not a {ctx.census()} code{elsewhere}; "
            f"use one of: {', '.join(codes)}.",
            element,
        )
    if validator == "XsdPatternFacets":
        wanted = _FORMATS.get(name, "the format the schema requires")
        return ctx.issue("pattern", f"{name} is not in the right format: it must be {wanted}.", element)
    if validator.endswith("LengthFacet"):
        if error.obj is not None and not str(error.obj):
            return ctx.issue("length", f"{name} must not be empty.", element)
        return ctx.issue("length", f"{name} has the wrong length for the {ctx.census()} schema.", element)
    if validator == "XsdAttributeGroup":
        names = ", ".join(local_name(a) for a in (error.obj or {}) if isinstance(a, str))
        return ctx.issue("attribute", f"{name} has an attribute the schema does not allow ({names}).", element)
    if validator == "XsdGroup":
        line, where = _stray_text_line(element) if element is not None else (None, "")
        return ctx.issue(
            "mixed-content",
            f"{name} contains stray text{(' ' + where) if where else ''}; only elements are allowed there.",
            element,
            line,
        )
    if validator == "XsdElement":
        return ctx.issue("unexpected-element", f"{name} must hold a value, not elements.", element)
    if name in _DATE_ELEMENTS:
        return ctx.issue("datatype", f"{name} is not a valid date: it must be a real date, YYYY-MM-DD.", element)
    if name == "NumberOfPreviousCPP":
        least = "0" if ctx.schema.uses_sex else "1"
        return ctx.issue("datatype", f"{name} must be a whole number, {least} or more ({ctx.census()}).", element)
    if name in _FORMATS:
        return ctx.issue("datatype", f"{name} is not valid: it must be {_FORMATS[name]}.", element)
    return ctx.issue("invalid", f"{name} does not have a valid value for the {ctx.census()} schema.", element)


def explain(
    schema: CensusSchema, element: etree._Element, root_path: str, *, file: str, child: str | None
) -> list[Issue]:
    """Every reason ``element`` (a ``Child`` or ``Header``) fails the schema, as located issues."""
    from xmlschema import XMLSchemaChildrenValidationError  # noqa: PLC0415 - loaded with the explainer

    ctx = _Context(schema, file, element, root_path, child)
    issues: list[Issue] = []
    for error in schema.explainer.iter_errors(element, use_location_hints=False):
        if isinstance(error, XMLSchemaChildrenValidationError):
            issues.append(_children_issue(ctx, error))
        else:
            issues.append(_value_issue(ctx, error))
    return issues


_LOG_KINDS: Final = (
    ("ENUMERATION", "enumeration", "{name} has a value that is not a {census} code."),
    ("PATTERN", "pattern", "{name} is not in the right format."),
    ("LENGTH", "length", "{name} has the wrong length (or is empty)."),
    ("DATATYPE", "datatype", "{name} does not have a valid value for its type."),
    ("INCLUSIVE", "datatype", "{name} is out of range."),
    ("COMPLEX_TYPE_2_3", "mixed-content", "{name} contains stray text; only elements are allowed there."),
    ("COMPLEX_TYPE_3_2", "attribute", "{name} has an attribute the schema does not allow."),
)


def _relative_log_path(path: str, own: str) -> str:
    """lxml's error path below the validated element, in this module's XPath style (repeatables indexed)."""
    if path.startswith(own + "/"):
        rest = path[len(own) + 1 :]
    else:  # validating one element, lxml starts the path at that element: /Child/...
        parts = path.split("/", 2)
        rest = parts[2] if len(parts) > 2 else ""
    steps = [step if "[" in step or step not in REPEATABLE else f"{step}[1]" for step in rest.split("/") if step]
    return "".join("/" + step for step in steps)


def explain_from_log(
    schema: CensusSchema, element: etree._Element, root_path: str, *, file: str, child: str | None
) -> list[Issue]:
    """The cheap explanation: lxml's own error log, with value-free messages (used past the limit)."""
    schema.validator.validate(element)
    own = str(element.getroottree().getpath(element))
    issues: list[Issue] = []
    for entry in schema.validator.error_log:
        path = str(entry.path or "")
        name = local_name(path.rsplit("/", 1)[-1].split("[", 1)[0]) if path else "element"
        kind, template = "invalid", "{name} does not match the {census} schema."
        for marker, log_kind, log_template in _LOG_KINDS:
            if marker in entry.type_name:
                kind, template = log_kind, log_template
                break
        else:
            if "not expected" in entry.message:
                kind, template = "unexpected-element", "{name} is not allowed at this position."
            elif "Missing child" in entry.message:
                kind, template = "missing-element", "{name} is incomplete: a required element is missing."
        relative = _relative_log_path(path, own)
        issues.append(
            Issue(
                rule=f"xsd/{kind}",
                severity="error",
                message=template.format(name=name, census=f"census {schema.label}"),
                location=SourceLocation(file=file, line=entry.line or None, path=root_path + relative),
                child=child,
            )
        )
    return issues
