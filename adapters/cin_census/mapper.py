"""The per-child mapping state: canonical data, lineage and issues recorded together, value by value.

Every value is parsed from the element that carries it and recorded with its JSON pointer, its source
(line and XPath in the supplier's file) and the mapping step. A value that is not a code of the census
year, not a date, or out of range is left unset and reported (``map/...``), never replaced by a default —
except a code that a DfE rule checks (ethnicity, disability, referral source, primary need, reason for
closure, category of abuse), which is kept as sent, and reported, so that the rule can fire on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from lxml import etree

from adapters.cin_census.schemas import CensusSchema
from gateway import Coding, Issue, Lineage, LineageRow, SourceLocation
from gateway.codes import DFE_ETHNICITY, sex_from_census_gender

__all__ = [
    "FORMAT_ID",
    "KEPT",
    "KNOWN_DATES",
    "PART_IDS",
    "STEP_PREFIX",
    "YES_NO",
    "ChildMapper",
    "HeaderFacts",
    "episode_id",
    "parse_date",
    "part_id",
    "record_key",
]

FORMAT_ID: Final = "cin-census-xml"
STEP_PREFIX: Final = FORMAT_ID + ":"
"""Every mapping step id of this reader starts with this (``cin-census-xml:PersonBirthDate``)."""
YES_NO: Final = {"true": True, "TRUE": True, "1": True, "false": False, "FALSE": False, "0": False}
"""Every yes/no code of every census year (a year's own schema decides which of them it accepts)."""
_MAX_PREVIOUS_PLANS: Final = 999
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
KNOWN_DATES: Final = _DATES
"""The memo of :func:`parse_date` (text -> date or ``None``), for hot loops to look in before calling it."""


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
        self.schema = schema
        self.codes = schema.codes
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

    def source(self, pointer: str, element: etree._Element, path: str, step: str) -> None:
        """Record that ``pointer`` was set from ``element`` (at ``path``) by mapping step ``step``."""
        self.lineage.append((pointer, self.file, element.sourceline, None, None, path, STEP_PREFIX + step))

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

    # -- values ---------------------------------------------------------------------------------------

    def date(self, element: etree._Element, path: str) -> date | None:
        value = parse_date((element.text or "").strip())
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
        if not text.isascii() or not text.isdigit() or int(text) > _MAX_PREVIOUS_PLANS:
            self.problem(
                "map/invalid-number", f"{element.tag} is not a whole number from 0 to 999; left unset", element, path
            )
            return None
        return int(text)

    # -- sections -------------------------------------------------------------------------------------

    def identifiers(self, section: etree._Element, path: str, child: _Data) -> None:
        former: list[str] = []
        lineage, file = self.lineage, self.file
        for element in section:
            tag = element.tag
            field = _IDENTIFIER_FIELDS.get(tag)
            if field is None and not isinstance(tag, str):
                continue
            epath = f"{path}/{tag}"
            text = element.text
            text = text.strip() if text else ""
            if field is not None:
                if field in child:
                    continue  # a repeated element: the schema reports it; the first one is kept
                if tag == "UPN":
                    value: object = text or None
                elif tag == "UPNunknown":
                    value = self.code(element, epath)
                else:
                    value = _DATES.get(text) or self.date(element, epath)
                if value is not None:
                    child[field] = value
                    lineage.append((f"/child/{field}", file, element.sourceline, None, None, epath, _STEPS[tag]))
            elif tag == "LAchildID":
                if text and self.la_child_id is None:
                    self.la_child_id = text
                    self.local_id(element, epath, child, text)
                elif not text:
                    self.problem("map/missing-value", "LAchildID is empty: the child has no local id", element, epath)
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
        self.lineage.append(
            (
                "/child/local_ids/0/la_code",
                self.file,
                header.la_line,
                None,
                None,
                header.la_path,
                STEP_PREFIX + header.la_step,
            )
        )

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

    def ethnicity(self, code: str) -> Coding | dict[str, Any]:
        """The DfE ethnicity coding of ``code``: one shared (immutable) model per code of the year's list."""
        known = _ETHNICITIES.get((self.schema.year, code))
        if known is not None:
            return known
        description = self.codes["Ethnicity"].get(code)
        if description is None:  # kept as sent: not in the list, so no description and not shared
            return {"system": DFE_ETHNICITY, "code": code}
        coding = _ETHNICITIES[(self.schema.year, code)] = Coding(
            system=DFE_ETHNICITY, code=code, display=description or None
        )
        return coding

    def characteristics(self, section: etree._Element, path: str, child: _Data) -> None:
        for element in section:
            tag = element.tag
            if tag == "Ethnicity" and "ethnicity" not in child:
                epath = f"{path}/Ethnicity"
                code = self.code(element, epath, keep=True)
                if code is not None:
                    child["ethnicity"] = self.ethnicity(code)
                    self.source("/child/ethnicity", element, epath, "Ethnicity")
            elif tag == "Disabilities":
                disabilities: list[str] = child.setdefault("disabilities", [])
                position = 0
                for item in element:
                    if item.tag != "Disability":
                        continue
                    position += 1
                    ipath = f"{path}/Disabilities/Disability[{position}]"
                    code = self.code(item, ipath, keep=True)
                    if code is not None:
                        self.source(f"/child/disabilities/{len(disabilities)}", item, ipath, "Disability")
                        disabilities.append(code)


_ETHNICITIES: dict[tuple[int, str], Coding] = {}
"""(census year, code) -> its coding; bounded by the years' code lists (only listed codes are kept here)."""

_IDENTIFIER_FIELDS: Final[dict[object, str]] = {
    "UPN": "upn",
    "UPNunknown": "upn_unknown_reason",
    "PersonBirthDate": "birth_date",
    "ExpectedPersonBirthDate": "expected_birth_date",
    "PersonDeathDate": "death_date",
}
"""The ``ChildIdentifiers`` elements that set one field each (a UPN, a UPN-unknown code or a date)."""
_STEPS: Final[dict[object, str]] = {tag: f"{STEP_PREFIX}{tag}" for tag in _IDENTIFIER_FIELDS}
