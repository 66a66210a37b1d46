"""The state of one CIN census file while it streams: its header, census year, schema and children.

:class:`DocumentState` receives the start and end events of the top three levels (``Message``, its
``Header`` / ``Children``, and each ``Child``) and checks that skeleton itself — the schema's
``messagetype`` and ``childrentype`` — because the whole document is never held in memory. The ``Header``
is validated against the schema as a unit, and each ``Child`` is judged as one: the children of a parser
read are validated together, and each by itself only when they are not valid together (:meth:`_valid`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from lxml import etree
from pydantic import ValidationError

from adapters.cin_census.census import YearChoice, census_label, choose_year, parse_census_label
from adapters.cin_census.explanations import explain, explain_from_log
from adapters.cin_census.malformed import ReadProgress
from adapters.cin_census.mapper import FORMAT_ID, HeaderFacts
from adapters.cin_census.mapping import map_data
from adapters.cin_census.schemas import CensusSchema, schema_for
from adapters.cin_census.skeleton import Skeleton
from gateway import ChildRecord, Issue, ReadEvent, Severity, SourceLocation, SubmissionHeader

__all__ = ["MAX_CHILD_ELEMENTS", "DocumentState"]

_LEA: Final = re.compile(r"[0-9]{3}")
MAX_CHILD_ELEMENTS: Final = 10_000
"""A ``<Child>`` with more elements than this is refused (bounded memory for its record and lineage)."""


_too_large: Final = etree.XPath(f"boolean(descendant::*[{MAX_CHILD_ELEMENTS}])", regexp=False)
"""True when a subtree has more than ``MAX_CHILD_ELEMENTS`` elements (itself and that many descendants),
found inside libxml2 (no Python object per element), which stops looking at the one that is too many.
Without the EXSLT regular-expression functions (``regexp=False``), which lxml would otherwise register on
every call (a third of the call's cost for a usual child) and which the expression does not use."""


_NAMESPACED: Final = b"xmlns"
"""In an element's serialisation: it (or an element in it) declares or uses a namespace (lxml declares, in the
serialised subtree, every namespace the subtree uses)."""

_VALIDATE: Final = ChildRecord.__pydantic_validator__.validate_python
"""The whole record validated in one pydantic call (as :func:`~adapters.cin_census.mapping.map_child` does)."""


def _header_parts(header: etree._Element | None) -> tuple[etree._Element | None, ...]:
    """The ``Year``, ``ReferenceDate`` and first ``Source/LEA`` elements of a ``<Header>`` (``None`` if absent)."""
    year = reference = lea = None
    for node in header if header is not None else ():
        if node.tag == "CollectionDetails":
            for item in node:
                if item.tag == "Year" and year is None:
                    year = item
                elif item.tag == "ReferenceDate" and reference is None:
                    reference = item
        elif node.tag == "Source" and lea is None:
            lea = next((item for item in node if item.tag == "LEA"), None)
    return year, reference, lea


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else element.text or ""


@dataclass
class DocumentState:
    """What the reader knows about one file so far."""

    file: str
    census_year: int | None = None
    explain_limit: int = 1000
    first: SubmissionHeader | None = None
    """The header of an earlier file of the same submission (this file must agree with it)."""
    header: SubmissionHeader | None = None
    schema: CensusSchema | None = None
    facts: HeaderFacts | None = None
    explained: int = 0
    submission: SubmissionHeader | None = None
    """What the envelope declares: a census year or LA code for a file that does not say."""
    progress: ReadProgress | None = None
    """The stream being parsed, when the reader gives it (see :meth:`_too_large`)."""
    skeleton: Skeleton = field(init=False)
    _header_element: etree._Element | None = None
    _small: tuple[etree._Element | None, int] = (None, -1)
    """(``Children`` element, read count): everything under it was checked small at that read count."""
    _known_valid: set[etree._Element] = field(default_factory=set)
    """Children whose end has not been reached yet, already found valid with an earlier one (see :meth:`_valid`)."""
    _unbatched: int = -1
    """The read count at which the children read so far did not validate together: one by one until the next."""

    def __post_init__(self) -> None:
        self.skeleton = Skeleton(self.file)

    @property
    def stopped(self) -> bool:
        """True when the file turned out not to be a CIN census file."""
        return self.skeleton.not_census

    def _issue(
        self, rule: str, message: str, line: int | None, path: str | None, severity: Severity = "error"
    ) -> Issue:
        return Issue(
            rule=rule,
            severity=severity,
            message=message,
            location=SourceLocation(file=self.file, line=line, path=path),
        )

    # -- events ---------------------------------------------------------------------------------------

    def end(self, element: etree._Element) -> Sequence[ReadEvent]:
        """A skeleton element ends: its events (a child's issues and record), in order."""
        step, issues = self.skeleton.end(element)
        if step == "child":
            events = self._child(element)
            element.clear(keep_tail=True)
        elif step == "header":
            self._header_element = element
            events = list(self._header(element))
        else:
            return issues
        if issues:
            events.extend(issues)
        return events

    def finish(self) -> Iterator[ReadEvent]:
        """The document ended normally."""
        if self.skeleton.root is None:
            self.skeleton.not_census = True
            yield self._issue(
                "xsd/unexpected-element", "the file has no Message element: this is not a CIN census file", None, "/"
            )
        elif self.schema is None and not self.stopped:
            yield from self._decide(None)

    # -- header ---------------------------------------------------------------------------------------

    def _header(self, element: etree._Element) -> Iterator[ReadEvent]:
        """The header has ended: settle the census year now, or after the first child when none is declared."""
        year, reference, _ = _header_parts(element)
        if self.census_year is None and choose_year(_text(year), _text(reference)).declared is None:
            return  # nothing declared: decided from the first child's shape (or at the end of the file)
        yield from self._decide(None)

    def _decide(self, first_child: etree._Element | None) -> Iterator[ReadEvent]:
        element = self._header_element
        year, reference, lea = _header_parts(element)
        if self.census_year is not None:
            choice = YearChoice(self.census_year, self.census_year, "configured")
        else:
            uses_sex = None if first_child is None else first_child.find("ChildIdentifiers/Sex") is not None
            submitted = parse_census_label(self.submission.format_version) if self.submission else None
            choice = choose_year(_text(year), _text(reference), uses_sex=uses_sex, submitted=submitted)
        yield from self._settle(choice, element, lea, reference if reference is not None else year)

    def _settle(
        self,
        choice: YearChoice,
        element: etree._Element | None,
        lea: etree._Element | None,
        declaration: etree._Element | None,
    ) -> Iterator[ReadEvent]:
        schema = self.schema = schema_for(choice.schema_year)
        yield from self._year_issues(choice, schema, declaration.sourceline if declaration is not None else None)
        if element is not None and not schema.validator.validate(element):
            yield from explain(schema, element, "/Message/Header", file=self.file, child=None)
        la_text = (lea.text or "").strip() if lea is not None else ""
        la_code = la_text if _LEA.fullmatch(la_text) else None
        la_path = "/Message/Header/Source[1]/LEA"
        self.facts = HeaderFacts(self.file, la_code, lea.sourceline if lea is not None else None, la_path)
        if la_code is None:
            yield from self._missing_la_code(lea, la_path)
        header = SubmissionHeader(
            format_id=FORMAT_ID,
            format_version=choice.label,
            la_code=la_code,
            reference_date=choice.reference_date,
            details={"schema": f"CIN_schema_{schema.year}.xsd", "census_year_from": choice.source},
        )
        self.header = header
        if self.first is None:
            yield header
        elif (self.first.format_version, self.first.la_code) != (header.format_version, header.la_code):
            yield self._issue(
                "read/inconsistent-files",
                "this file declares a different census year or LA from the first file of the submission",
                None,
                "/Message/Header",
            )

    def _missing_la_code(self, lea: etree._Element | None, la_path: str) -> Iterator[Issue]:
        submitted = self.submission.la_code if self.submission is not None else None
        if submitted is not None and _LEA.fullmatch(submitted):
            self.facts = HeaderFacts(self.file, submitted, la_step="submission-la-code")
            consequence = "the LA code the submission declares is used for the children's local ids"
        else:
            consequence = "children's LAchildIDs cannot be qualified with an LA code (the records carry no local id)"
        yield self._issue(
            "read/missing-la-code",
            f"the header has no valid Source/LEA: {consequence}",
            lea.sourceline if lea is not None else None,
            la_path if lea is not None else "/Message/Header",
            severity="warning",
        )

    def _year_issues(self, choice: YearChoice, schema: CensusSchema, line: int | None) -> Iterator[Issue]:
        path = "/Message/Header/CollectionDetails"
        if choice.mismatch is not None:
            year, reference = choice.mismatch
            yield self._issue(
                "read/census-year-mismatch",
                f"the header's Year says census {census_label(year)} but its ReferenceDate says census "
                f"{census_label(reference)}; the file is read as census {census_label(reference)}",
                line,
                path,
                severity="warning",
            )
        if not choice.supported:
            yield self._issue(
                "read/census-year-unsupported",
                f"no schema is vendored for census {choice.label}; the file is validated against the nearest, "
                f"census {schema.label}",
                line,
                path,
                severity="warning",
            )
        if choice.source in ("submission", "element shapes", "default"):
            basis = {"submission": "what the submission declares", "element shapes": "its children's shape"}.get(
                choice.source, "the newest schema"
            )
            yield self._issue(
                "read/census-year-undeclared",
                f"the header declares no census year (Year or ReferenceDate); read as census {schema.label} "
                f"from {basis}",
                None,
                "/Message/Header" if self._header_element is not None else "/Message",
                severity="warning",
            )

    # -- children -------------------------------------------------------------------------------------

    def _too_large(self, element: etree._Element) -> bool:
        """True when the child has more than ``MAX_CHILD_ELEMENTS`` elements (checked before the schema is).

        Checking its parent (``Children``) instead answers for every child the parser has attached there:
        processed children are unlinked, so that is this child and what lxml parsed ahead of the events.
        While the parser has not read again (:attr:`ReadProgress.reads`) the tree has not grown, so a
        later child whose end has been reported was complete, and counted, when its parent was checked:
        one check of ``Children`` per read answers for the few dozen children each read holds.
        """
        progress, parent = self.progress, element.getparent()
        if progress is None or parent is None:
            return bool(_too_large(element))
        reads = progress.reads
        held, at = self._small
        if held is parent and at == reads:
            return False
        if _too_large(parent):  # something under Children is large (maybe this child): check it alone
            return bool(_too_large(element))
        self._small = (parent, reads)
        return False

    def _valid(self, element: etree._Element, schema: CensusSchema) -> bool:
        """Whether the child is valid: lxml's yes/no, for the children the parser has read so far at once.

        One call per child costs lxml a validation context and a stand-in document each time, which is more
        than validating a child. So the first child of each parser read validates its ``Children`` element —
        this child and the complete ones parsed after it (the one still being parsed is set aside, by
        :meth:`_validate_read`) — and, when that is valid, the later ones are known valid when they end.
        Only when :meth:`_too_large` found everything under ``Children`` small at this read (no child too
        large for the schema is validated this way either), and ``Children`` carries no attribute. When they
        are not valid together, each child of that read is validated by itself, as one child always may be.
        """
        known = self._known_valid
        if known:
            if element in known:
                known.discard(element)
                return True
            known.clear()  # pragma: no cover - children end in document order: an earlier read's are gone
        progress, parent = self.progress, element.getparent()
        if (
            progress is not None
            and parent is not None
            and not parent.attrib
            and self._small[0] is parent
            and self._small[1] == progress.reads != self._unbatched
        ):
            if self._validate_read(parent, element, schema):
                return True
            self._unbatched = progress.reads
        return bool(schema.validator(element))

    def _validate_read(self, children: etree._Element, element: etree._Element, schema: CensusSchema) -> bool:
        """Validate ``Children``, which holds ``element`` (processed children were unlinked) and what the
        parser read after it; remember the later children as valid when it is.

        The last node may be the child the parser is still building (incomplete, so invalid): it is set
        aside while ``Children`` is validated, unless it has a tail, which only follows an end tag. Putting
        it back leaves the tree as the parser left it — the parser resumes only at its next read — provided
        nothing in it declares or uses a namespace: lxml moves a node by tidying its namespace declarations,
        and may free one the parser still holds for the element it is building. Such a child is not set
        aside, and the read's children are validated one by one.
        """
        last = children[-1]
        aside = last is not element and last.tail is None
        if aside and _NAMESPACED in etree.tostring(last, with_tail=False):
            return False
        if aside:
            children.remove(last)
        try:
            if not schema.validator(children):
                return False
            self._known_valid.update(element.itersiblings("Child"))
        finally:
            if aside:
                children.append(last)
        return True

    def _child(self, element: etree._Element) -> list[ReadEvent]:
        position = self.skeleton.children_seen
        events: list[ReadEvent] = []
        if self.schema is None:
            events.extend(self._decide(element))
        schema, facts = self.schema, self.facts
        assert schema is not None and facts is not None  # noqa: S101 - set by _decide
        if self._too_large(element):
            events.append(
                self._issue(
                    "read/too-large",
                    f"the child has more than {MAX_CHILD_ELEMENTS:,} elements (a real one has a few dozen): not read",
                    element.sourceline,
                    f"/Message/Children/Child[{position}]",
                )
            )
            return events
        valid = self._valid(element, schema)
        try:
            data, child, mapped = map_data(element, schema, facts, position)
            record = _VALIDATE(data)  # what map_child does, without its wrapper
        except ValidationError:  # pragma: no cover - the mapping only produces model-shaped data
            events.append(
                self._issue(
                    "map/invalid-record",
                    "the child could not be mapped to a canonical record",
                    element.sourceline,
                    f"/Message/Children/Child[{position}]",
                )
            )
            return events
        if valid:
            if not events and not mapped:
                return [record]  # the usual case
            events.extend(mapped)  # nothing for the schema to say: every mapping issue stands
            events.append(record)
            return events
        base = f"/Message/Children/Child[{position}]"
        issues: list[Issue] = []
        if self.explained < self.explain_limit:
            self.explained += 1
            issues = explain(schema, element, base, file=self.file, child=child)
        if not issues:
            issues = explain_from_log(schema, element, base, file=self.file, child=child)
        events.extend(issues)
        located = {issue.location.path for issue in issues if issue.location is not None}
        for issue in mapped:
            if issue.location is None or issue.location.path not in located:
                events.append(issue)
        events.append(record)
        return events
