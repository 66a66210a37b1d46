"""The per-child mapping state: canonical data, lineage and issues recorded together, value by value.

Every value is parsed from the element that carries it and recorded with its JSON pointer, its source
(line and XPath in the supplier's file) and the mapping step. A value that is not a code of the census
year, not a date, or out of range is left unset and reported (``map/...``), never replaced by a default —
except a code that a DfE rule checks (ethnicity, disability, referral source, primary need, reason for
closure, category of abuse), which is kept as sent, and reported, so that the rule can fire on it.

Speed (this runs for every child): a value is first looked up by its text exactly as sent, in tables
made once per census year (:func:`known_values`, :data:`RAW_DATES` and the episodes' ``tables_for``);
only a text not found there takes the slow path that strips, checks and reports it.
Lineage rows are plain tuples, and the strings they share (JSON pointers, steps, the LA code's row) are
made once, not per record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final, NamedTuple

from lxml import etree

from adapters.cin_census.schemas import CensusSchema
from gateway import Coding, Issue, Lineage, LineageRow, SourceLocation
from gateway.codes import DFE_ETHNICITY, sex_from_census_gender

__all__ = [
    "FORMAT_ID",
    "KEPT",
    "MAX_PREVIOUS_PLANS",
    "PART_IDS",
    "RAW_DATES",
    "STEP_PREFIX",
    "YES_NO",
    "ChildMapper",
    "HeaderFacts",
    "KnownValues",
    "element_date",
    "episode_id",
    "known_values",
    "parse_date",
    "part_id",
    "record_key",
]

FORMAT_ID: Final = "cin-census-xml"
STEP_PREFIX: Final = FORMAT_ID + ":"
"""Every mapping step id of this reader starts with this (``cin-census-xml:PersonBirthDate``)."""
YES_NO: Final = {"true": True, "TRUE": True, "1": True, "false": False, "FALSE": False, "0": False}
"""Every yes/no code of every census year (a year's own schema decides which of them it accepts)."""
MAX_PREVIOUS_PLANS: Final = 999
"""The largest count a census file gives (``PreviousCP-Plans``): three digits."""
KEPT: Final = "kept as sent, for the DfE rule that checks it"
"""How a message says that a code outside the census list was kept (see :meth:`ChildMapper.code`)."""
_Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the mapping needs from the file's header."""

    file: str
    la_code: str | None
    """The header's LEA when it is three digits, else ``None``."""
    la_line: int | None = None
    la_path: str | None = None
    la_step: str = "LEA"
    """The mapping step that gave the LA code (``LEA``, or ``submission-la-code`` from the envelope)."""

    la_row: LineageRow = dataclasses.field(init=False, repr=False, compare=False)
    """The lineage row of every child's ``/child/local_ids/0/la_code`` (one tuple, shared by the records)."""

    def __post_init__(self) -> None:
        step = STEP_PREFIX + self.la_step
        row = ("/child/local_ids/0/la_code", self.file, self.la_line, None, None, self.la_path, step)
        object.__setattr__(self, "la_row", row)


def record_key(la_code: str | None, la_child_id: str | None, position: int) -> str:
    """The stem of the ids given to a child's episodes: ``LA/LAchildID``, or ``LA/#position`` without an id."""
    return f"{la_code or '-'}/{la_child_id}" if la_child_id else f"{la_code or '-'}/#{position}"


PART_IDS: Final = {
    "Assessments": "assessment",
    "CINPlanDates": "cinplan",
    "Section47": "s47-",
    "ChildProtectionPlans": "cpp",
}
"""How the id of each repeated part of an episode is spelt after the episode id (``.../assessment2``)."""


def episode_id(key: str, number: int) -> str:
    """The id of a child's ``number``-th (1-based) ``<CINdetails>``: ``201/C123/cin1``."""
    return f"{key}/cin{number}"


def part_id(episode: str, tag: str, number: int) -> str:
    """The id of the ``number``-th (1-based) ``tag`` part of an episode: ``201/C123/cin1/assessment2``."""
    return f"{episode}/{PART_IDS[tag]}{number}"


_DATES: dict[str, date | None] = {}
_DATES_MAX: Final = 50_000
_MEMO_TEXT_MAX: Final = 64
"""Longer texts are parsed but not remembered: the memos hold bounded strings, whatever a file sends."""
RAW_DATES: Final[dict[object, date]] = {}
"""Element text exactly as sent (surrounding white space included) -> its date, for the texts that are one:
the reader's fast path looks a date element's text up here first (see :func:`remember_date`)."""


def parse_date(text: str) -> date | None:
    """An ``xs:date`` text (``YYYY-MM-DD``, optional time zone) as a date; ``None`` when it is not one.

    Years outside 1..9999 are not mapped. Dates repeat a lot in a census file, so parses of short texts
    are memoised (a bounded table, emptied when full).
    """
    try:
        return _DATES[text]
    except KeyError:
        pass
    value: date | None = None
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            value = None
    if len(text) <= _MEMO_TEXT_MAX:
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        _DATES[text] = value
    return value


def element_date(text: str | None) -> date | None:
    """The date of an element's raw text (white space around it ignored), remembered in :data:`RAW_DATES`."""
    value = parse_date(text.strip() if text else "")
    if value is not None and text is not None and len(text) <= _MEMO_TEXT_MAX:
        if len(RAW_DATES) >= _DATES_MAX:
            RAW_DATES.clear()  # emptied in place: the reader's compiled tables hold this very dict
        RAW_DATES[text] = value
    return value


class ChildMapper:
    """Collects canonical data, lineage and issues for one child during the single pass."""

    __slots__ = ("base", "codes", "file", "header", "issues", "known", "la_child_id", "lineage", "position", "schema")

    def __init__(self, schema: CensusSchema, header: HeaderFacts, position: int) -> None:
        self.schema = schema
        self.codes = schema.codes
        self.known = known_values(schema)
        self.file = header.file
        self.header = header
        self.position = position
        self.base = f"/Message/Children/Child[{position}]"
        self.lineage: list[LineageRow] = []
        """``(field, file, line, row, column, path, step)`` rows, as :meth:`Lineage.from_rows` takes them."""
        self.issues: list[Issue] = []
        self.la_child_id: str | None = None

    @property
    def census(self) -> str:
        """``census 2024-25``, for messages."""
        return f"census {self.schema.label}"

    # -- recording ------------------------------------------------------------------------------------

    def built_lineage(self) -> Lineage:
        """The lineage recorded so far. Its rows are right by construction (strings, and lines from lxml),
        so they are validated when first looked at or serialised, not on this hot path."""
        return Lineage.from_rows(self.lineage, check=False)

    def problem(self, rule: str, message: str, element: etree._Element, path: str) -> None:
        self.issues.append(
            Issue(
                rule=rule,
                severity="error",
                message=message,
                location=SourceLocation(file=self.file, line=element.sourceline, path=path),
                child=self.la_child_id,
            )
        )

    # -- values (the slow paths: a value the fast lookups did not know, stripped, checked and reported) ------

    def date(self, element: etree._Element, path: str) -> date | None:
        value = element_date(element.text)
        if value is None:
            self.problem(
                "map/invalid-date", f"{element.tag} is not a date the gateway can read (YYYY-MM-DD)", element, path
            )
        return value

    def code(
        self, element: etree._Element, path: str, list_name: str | None = None, *, keep: bool = False
    ) -> str | None:
        """The element's code when it is in the census year's list; otherwise reported and ``None`` — or,
        with ``keep``, the code as sent (not blank), for fields whose validity a DfE rule checks."""
        name = list_name or str(element.tag)
        text = (element.text or "").strip()
        codes = self.codes.get(name)
        if codes is None:
            self.problem("map/unknown-element", f"{element.tag} is not part of {self.census}", element, path)
            return None
        if text not in codes:
            if keep and text:
                self.problem("map/unknown-code", f"{element.tag} is not a {self.census} code; {KEPT}", element, path)
                return text
            self.problem("map/unknown-code", f"{element.tag} is not a {self.census} code; left unset", element, path)
            return None
        return text

    def yes_no(self, element: etree._Element, path: str) -> bool | None:
        code = self.code(element, path)
        return None if code is None else YES_NO.get(code)

    def count(self, element: etree._Element, path: str) -> int | None:
        text = (element.text or "").strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_PREVIOUS_PLANS:
            self.problem(
                "map/invalid-number", f"{element.tag} is not a whole number from 0 to 999; left unset", element, path
            )
            return None
        return int(text)

    # -- sections -------------------------------------------------------------------------------------

    def identifiers(self, section: etree._Element, path: str, child: _Data) -> None:
        former: list[str] = []
        lineage, file = self.lineage, self.file
        for element in section[:]:
            tag = element.tag
            spec = _IDENTIFIERS.get(tag)
            if spec is None:
                continue  # not mapped (the schema reports what does not belong)
            kind, field, pointer, step, suffix = spec
            epath = path + suffix
            if kind == _DATE_FIELD:
                if field not in child:  # a repeated element: the schema reports it; the first one is kept
                    day = RAW_DATES.get(element.text) or self.date(element, epath)
                    if day is not None:
                        child[field] = day
                        lineage.append((pointer, file, element.sourceline, None, None, epath, step))
                continue
            if kind == _SEX:
                if "sex" not in child:
                    sex = self.known.sexes[tag].get(element.text)
                    if sex is None:
                        self.sex(str(tag), element, epath, child)
                    else:
                        child["sex"] = sex
                        lineage.append((pointer, file, element.sourceline, None, None, epath, step))
                continue
            text = element.text
            text = text.strip() if text else ""
            if kind == _LA_CHILD_ID:
                if text and self.la_child_id is None:
                    self.la_child_id = text
                    header = self.header
                    if header.la_code is not None:  # else reported once for the file (read/missing-la-code)
                        child["local_ids"] = [{"la_code": header.la_code, "la_child_id": text}]
                        lineage.append((pointer, file, element.sourceline, None, None, epath, step))
                        lineage.append(header.la_row)
                elif not text:
                    self.problem("map/missing-value", "LAchildID is empty: the child has no local id", element, epath)
            elif kind == _FORMER_UPN:
                if text:
                    lineage.append((f"{pointer}/{len(former)}", file, element.sourceline, None, None, epath, step))
                    former.append(text)
            else:  # UPN, UPNunknown
                if field in child:
                    continue
                value = (text or None) if tag == "UPN" else self.code(element, epath)
                if value is not None:
                    child[field] = value
                    lineage.append((pointer, file, element.sourceline, None, None, epath, step))
        if former:
            child["former_upns"] = former

    def sex(self, tag: str, element: etree._Element, path: str, child: _Data) -> None:
        """``child["sex"]`` from an element whose text as sent is not a known code (the caller looked it up, and
        sets the sex only once): the code stripped and checked, and reported when it is not usable."""
        code = self.code(element, path)
        if code is None:
            return
        value = sex_from_census_gender(code) if tag == "GenderCurrent" else code
        if value is None:  # pragma: no cover - every GenderCurrent code of every census year maps
            self.problem("map/unknown-code", f"{tag} code has no canonical sex", element, path)
            return
        child["sex"] = value
        self.lineage.append(("/child/sex", self.file, element.sourceline, None, None, path, _SEX_STEPS[tag]))

    def characteristics(self, section: etree._Element, path: str, child: _Data) -> None:
        lineage, file, known = self.lineage, self.file, self.known
        for element in section[:]:
            tag = element.tag
            if tag == "Ethnicity" and "ethnicity" not in child:
                epath = f"{path}/Ethnicity"
                coding: Coding | dict[str, Any] | None = known.ethnicities.get(element.text)
                if coding is None:
                    code = self.code(element, epath, keep=True)
                    if code is None:
                        continue
                    coding = known.ethnicities.get(code) or {"system": DFE_ETHNICITY, "code": code}  # kept as sent
                child["ethnicity"] = coding
                lineage.append(("/child/ethnicity", file, element.sourceline, None, None, epath, _ETHNICITY_STEP))
            elif tag == "Disabilities":
                disabilities: list[str] = child.setdefault("disabilities", [])
                stem = f"{path}/Disabilities/Disability["
                position = 0
                for item in element[:]:
                    if item.tag != "Disability":
                        continue
                    position += 1
                    ipath = f"{stem}{position}]"
                    code = known.disabilities.get(item.text) or self.code(item, ipath, keep=True)
                    if code is not None:
                        lineage.append(
                            (
                                f"/child/disabilities/{len(disabilities)}",
                                file,
                                item.sourceline,
                                None,
                                None,
                                ipath,
                                _DISABILITY_STEP,
                            )
                        )
                        disabilities.append(code)


class KnownValues(NamedTuple):
    """One census year's values for the child's own elements, by their text as sent (fast look-ups)."""

    sexes: dict[object, dict[Any, str]]
    """``GenderCurrent`` / ``Sex`` -> code -> canonical sex."""
    ethnicities: dict[Any, Coding]
    """Listed ethnicity code -> its (shared, immutable) coding."""
    disabilities: dict[Any, str]
    """Listed disability code -> itself."""


@cache
def known_values(schema: CensusSchema) -> KnownValues:
    """The fast look-ups of ``schema``'s census year (built once per year: schemas are cached)."""
    codes = schema.codes
    sexes: dict[object, dict[Any, str]] = {"Sex": {}, "GenderCurrent": {}}
    for code in codes.get("Sex", ()):
        sexes["Sex"][code] = code
    for code in codes.get("GenderCurrent", ()):
        sex = sex_from_census_gender(code)
        if sex is not None:
            sexes["GenderCurrent"][code] = sex
    ethnicities = {
        code: Coding(system=DFE_ETHNICITY, code=code, display=description or None)
        for code, description in codes.get("Ethnicity", {}).items()
    }
    return KnownValues(sexes, ethnicities, {code: code for code in codes.get("Disability", ())})


_DATE_FIELD: Final = "date"
_FIELD: Final = "field"
_LA_CHILD_ID: Final = "la-child-id"
_FORMER_UPN: Final = "former-upn"
_SEX: Final = "sex"
_IDENTIFIERS: Final[dict[object, tuple[str, str, str, str, str]]] = {
    tag: (kind, field, pointer, STEP_PREFIX + tag, "/" + tag)
    for tag, (kind, field, pointer) in {
        "UPN": (_FIELD, "upn", "/child/upn"),
        "UPNunknown": (_FIELD, "upn_unknown_reason", "/child/upn_unknown_reason"),
        "PersonBirthDate": (_DATE_FIELD, "birth_date", "/child/birth_date"),
        "ExpectedPersonBirthDate": (_DATE_FIELD, "expected_birth_date", "/child/expected_birth_date"),
        "PersonDeathDate": (_DATE_FIELD, "death_date", "/child/death_date"),
        "LAchildID": (_LA_CHILD_ID, "local_ids", "/child/local_ids/0/la_child_id"),
        "FormerUPN": (_FORMER_UPN, "former_upns", "/child/former_upns"),
        "GenderCurrent": (_SEX, "sex", "/child/sex"),
        "Sex": (_SEX, "sex", "/child/sex"),
    }.items()
}
"""Every ``ChildIdentifiers`` element the mapping reads: element -> (how it is read, canonical field, its
JSON pointer (of the list, for ``FormerUPN``), mapping step, ``/Element`` to append to the XPath)."""
_SEX_STEPS: Final = {"GenderCurrent": STEP_PREFIX + "GenderCurrent", "Sex": STEP_PREFIX + "Sex"}
_ETHNICITY_STEP: Final = STEP_PREFIX + "Ethnicity"
_DISABILITY_STEP: Final = STEP_PREFIX + "Disability"
