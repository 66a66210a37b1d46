"""The per-child mapping state: canonical data, lineage and issues recorded together, value by value.

Every value is parsed from the element that carries it and recorded with its JSON pointer, its source
(line and XPath in the supplier's file) and the mapping step. A value that is not a code of the census
year, not a date, or out of range is left unset and reported (``map/...``), never replaced by a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from lxml import etree

from adapters.cin_census.schemas import CensusSchema
from gateway import Issue, SourceLocation
from gateway.codes import DFE_ETHNICITY, sex_from_census_gender

__all__ = [
    "FORMAT_ID",
    "PART_IDS",
    "YES_NO",
    "ChildMapper",
    "HeaderFacts",
    "episode_id",
    "parse_date",
    "part_id",
    "record_key",
]

FORMAT_ID: Final = "cin-census-xml"
_STEP: Final = FORMAT_ID + ":"
YES_NO: Final = {"true": True, "TRUE": True, "1": True, "false": False, "FALSE": False, "0": False}
"""Every yes/no code of every census year (a year's own schema decides which of them it accepts)."""
_MAX_PREVIOUS_PLANS: Final = 999
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


def parse_date(text: str) -> date | None:
    """An ``xs:date`` text (``YYYY-MM-DD``, optional time zone) as a date; ``None`` when it is not one.

    Years outside 1..9999 are not mapped. Dates repeat a lot in a census file, so parses are memoised
    (a bounded table, emptied when full).
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
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    _DATES[text] = value
    return value


class ChildMapper:
    """Collects canonical data, lineage and issues for one child during the single pass."""

    def __init__(self, schema: CensusSchema, header: HeaderFacts, position: int) -> None:
        self.codes = schema.codes
        self.census = f"census {schema.label}"
        self.file = header.file
        self.header = header
        self.position = position
        self.base = f"/Message/Children/Child[{position}]"
        self.lineage: list[tuple[str, int | None, str | None, str]] = []
        self.issues: list[Issue] = []
        self.la_child_id: str | None = None

    # -- recording ------------------------------------------------------------------------------------

    def source(self, pointer: str, element: etree._Element, path: str, step: str) -> None:
        """Record that ``pointer`` was set from ``element`` (at ``path``) by mapping step ``step``."""
        self.lineage.append((pointer, element.sourceline, path, step))

    def lineage_data(self) -> list[_Data]:
        """The lineage as ``FieldSource``-shaped data."""
        file = self.file
        return [
            {"field": pointer, "source": {"file": file, "line": line, "path": path}, "step": _STEP + step}
            for pointer, line, path, step in self.lineage
        ]

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

    # -- values ---------------------------------------------------------------------------------------

    def date(self, element: etree._Element, path: str) -> date | None:
        value = parse_date((element.text or "").strip())
        if value is None:
            self.problem(
                "map/invalid-date", f"{element.tag} is not a date the gateway can read (YYYY-MM-DD)", element, path
            )
        return value

    def code(self, element: etree._Element, path: str, list_name: str | None = None) -> str | None:
        name = list_name or str(element.tag)
        text = (element.text or "").strip()
        codes = self.codes.get(name)
        if codes is None:
            self.problem("map/unknown-element", f"{element.tag} is not part of {self.census}", element, path)
            return None
        if text not in codes:
            self.problem("map/unknown-code", f"{element.tag} is not a {self.census} code; left unset", element, path)
            return None
        return text

    def yes_no(self, element: etree._Element, path: str) -> bool | None:
        code = self.code(element, path)
        return None if code is None else YES_NO.get(code)

    def count(self, element: etree._Element, path: str) -> int | None:
        text = (element.text or "").strip()
        if not text.isascii() or not text.isdigit() or int(text) > _MAX_PREVIOUS_PLANS:
            self.problem(
                "map/invalid-number", f"{element.tag} is not a whole number from 0 to 999; left unset", element, path
            )
            return None
        return int(text)

    # -- sections -------------------------------------------------------------------------------------

    def identifiers(self, section: etree._Element, path: str, child: _Data) -> None:
        former: list[str] = []
        for element in section:
            tag = element.tag
            if not isinstance(tag, str):
                continue
            epath = f"{path}/{tag}"
            text = (element.text or "").strip()
            if tag == "LAchildID":
                if text and self.la_child_id is None:
                    self.la_child_id = text
                    self.local_id(element, epath, child, text)
                elif not text:
                    self.problem("map/missing-value", "LAchildID is empty: the child has no local id", element, epath)
            elif tag in ("UPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate", "PersonDeathDate"):
                self.identifier(tag, element, epath, text, child)
            elif tag == "FormerUPN":
                if text:
                    self.source(f"/child/former_upns/{len(former)}", element, epath, tag)
                    former.append(text)
            elif tag in ("GenderCurrent", "Sex"):
                self.sex(tag, element, epath, child)
        if former:
            child["former_upns"] = former

    def local_id(self, element: etree._Element, path: str, child: _Data, text: str) -> None:
        header = self.header
        if header.la_code is None:
            return  # reported once for the file (read/missing-la-code)
        child["local_ids"] = [{"la_code": header.la_code, "la_child_id": text}]
        self.source("/child/local_ids/0/la_child_id", element, path, "LAchildID")
        self.lineage.append(("/child/local_ids/0/la_code", header.la_line, header.la_path, header.la_step))

    def identifier(self, tag: str, element: etree._Element, path: str, text: str, child: _Data) -> None:
        field = _IDENTIFIER_FIELDS[tag]
        if field in child:
            return  # a repeated element: the schema reports it; the first one is kept
        if tag == "UPN":
            value: object = text or None
        elif tag == "UPNunknown":
            value = self.code(element, path)
        else:
            value = self.date(element, path)
        if value is not None:
            child[field] = value
            self.source(f"/child/{field}", element, path, tag)

    def sex(self, tag: str, element: etree._Element, path: str, child: _Data) -> None:
        if "sex" in child:
            return
        code = self.code(element, path)
        if code is None:
            return
        value = sex_from_census_gender(code) if tag == "GenderCurrent" else code
        if value is None:  # pragma: no cover - every GenderCurrent code of every census year maps
            self.problem("map/unknown-code", f"{tag} code has no canonical sex", element, path)
            return
        child["sex"] = value
        self.source("/child/sex", element, path, tag)

    def characteristics(self, section: etree._Element, path: str, child: _Data) -> None:
        for element in section:
            tag = element.tag
            if tag == "Ethnicity" and "ethnicity" not in child:
                epath = f"{path}/Ethnicity"
                code = self.code(element, epath)
                if code is not None:
                    display = self.codes["Ethnicity"][code] or None
                    child["ethnicity"] = {"system": DFE_ETHNICITY, "code": code, "display": display}
                    self.source("/child/ethnicity", element, epath, "Ethnicity")
            elif tag == "Disabilities":
                disabilities: list[str] = child.setdefault("disabilities", [])
                position = 0
                for item in element:
                    if item.tag != "Disability":
                        continue
                    position += 1
                    ipath = f"{path}/Disabilities/Disability[{position}]"
                    code = self.code(item, ipath)
                    if code is not None:
                        self.source(f"/child/disabilities/{len(disabilities)}", item, ipath, "Disability")
                        disabilities.append(code)


_IDENTIFIER_FIELDS: Final = {
    "UPN": "upn",
    "UPNunknown": "upn_unknown_reason",
    "PersonBirthDate": "birth_date",
    "ExpectedPersonBirthDate": "expected_birth_date",
    "PersonDeathDate": "death_date",
}
