"""``<CINdetails>`` -> a canonical CIN episode with its assessments, CIN plans, section 47 enquiries and
child protection plans (each with a stable id from the child and its position, and full lineage).

The census has no "child seen" date, so every assessment is ``child_seen_known=False`` and the ICS
Phase 1B child-seen rule reports "not evaluated" instead of passing or failing. DfE's
``AssessmentAuthorisationDate`` is the date the assessment was completed (authorised by the manager):
it sets both ``authorised_date`` and ``completed_date``.

A code outside the census year's list is kept as sent where a DfE rule checks the code (referral source,
primary need, reason for closure, categories of abuse), so that the rule reports it; yes/no flags,
counts and dates that cannot be read are left unset.

Speed: this is the reader's hot path. Each census year's element tables are compiled once
(:func:`tables_for`) so that one dictionary look-up of an element's text as sent gives its canonical
value — a date, a listed code, a yes/no flag or a count — and only a value not found there takes the
slow path that strips, checks and reports it (:class:`~adapters.cin_census.mapper.ChildMapper`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Final, NamedTuple

from lxml import etree

from adapters.cin_census.mapper import MAX_PREVIOUS_PLANS, PART_IDS, RAW_DATES, STEP_PREFIX, YES_NO, ChildMapper
from adapters.cin_census.schemas import CensusSchema

__all__ = ["Tables", "item_of", "map_episode", "tables_for"]

_Data = dict[str, Any]

_DATE: Final = 0
_CODE: Final = 1
_YES_NO: Final = 2
_COUNT: Final = 3

_Spec = tuple[str, dict[Any, Any], int, str, str]
"""How one simple element is mapped: (canonical field, text as sent -> value for the values known to be
right, kind of value, mapping step id, ``/Element`` to append to the part's XPath)."""
_Pointers = dict[str, str]
"""Field -> its JSON pointer in the record, for one item of a list (see :func:`item_of`)."""
_Table = dict[object, _Spec]
_ItemSpec = tuple[str, dict[Any, Any], int, str, str, str]
"""A :data:`_Spec` with, last, the JSON pointer of its field in one item of a list."""
_Item = tuple[dict[object, _ItemSpec], _Pointers]
"""One item of a list: its element table (pointers included) and its pointers (see :func:`item_of`)."""

# element -> (canonical field, kind of value) for the simple values of each part; the step id names the element
_EPISODE: Final = {
    "CINreferralDate": ("referral_date", _DATE),
    "ReferralSource": ("referral_source", _CODE),
    "PrimaryNeedCode": ("primary_need", _CODE),
    "CINclosureDate": ("closure_date", _DATE),
    "ReasonForClosure": ("closure_reason", _CODE),
    "DateOfInitialCPC": ("initial_cp_conference_date", _DATE),
    "ReferralNFA": ("referral_nfa", _YES_NO),
}
_ASSESSMENT: Final = {
    "AssessmentActualStartDate": ("start_date", _DATE),
    "AssessmentInternalReviewDate": ("internal_review_date", _DATE),
    "AssessmentAuthorisationDate": ("authorised_date", _DATE),
}
_CIN_PLAN: Final = {
    "CINPlanStartDate": ("start_date", _DATE),
    "CINPlanEndDate": ("end_date", _DATE),
}
_SECTION47: Final = {
    "S47ActualStartDate": ("start_date", _DATE),
    "InitialCPCtarget": ("icpc_target_date", _DATE),
    "DateOfInitialCPC": ("icpc_date", _DATE),
    "ICPCnotRequired": ("icpc_not_required", _YES_NO),
}
_PROTECTION_PLAN: Final = {
    "CPPstartDate": ("start_date", _DATE),
    "CPPendDate": ("end_date", _DATE),
    "InitialCategoryOfAbuse": ("initial_category", _CODE),
    "LatestCategoryOfAbuse": ("latest_category", _CODE),
    "NumberOfPreviousCPP": ("previous_plans", _COUNT),
}
_COUNTS: Final[dict[Any, Any]] = {str(number): number for number in range(MAX_PREVIOUS_PLANS + 1)}
"""The counts as they are usually written (no sign, no leading zero); anything else takes the slow path."""


class Tables(NamedTuple):
    """One census year's element tables, compiled from its code lists."""

    episode: _Table
    assessment: _Table
    cin_plan: _Table
    section47: _Table
    protection_plan: _Table
    factors: dict[Any, Any]
    """An ``AssessmentFactors`` code as sent -> itself, for the year's listed codes."""
    items: dict[tuple[str, int], _Item]
    """(list, index) -> that item's element table and pointers (see :func:`item_of`; a bounded memo)."""


def _compile(spec: dict[str, tuple[str, int]], codes: dict[str, dict[str, str]]) -> _Table:
    table: _Table = {}
    for tag, (field, kind) in spec.items():
        known: dict[Any, Any]
        if kind == _DATE:
            known = RAW_DATES  # shared and filled as dates are read (never holds a text that is not a date)
        elif kind == _COUNT:
            known = _COUNTS
        elif kind == _YES_NO:
            known = {code: YES_NO[code] for code in codes.get(tag, ()) if code in YES_NO}
        else:
            known = {code: code for code in codes.get(tag, ())}
        table[tag] = (field, known, kind, STEP_PREFIX + tag, "/" + tag)
    return table


@cache
def tables_for(schema: CensusSchema) -> Tables:
    """The compiled element tables of ``schema``'s census year (once per year: schemas are cached)."""
    codes = schema.codes
    return Tables(
        episode=_compile(_EPISODE, codes),
        assessment=_compile(_ASSESSMENT, codes),
        cin_plan=_compile(_CIN_PLAN, codes),
        section47=_compile(_SECTION47, codes),
        protection_plan=_compile(_PROTECTION_PLAN, codes),
        factors={code: code for code in codes.get("AssessmentFactors", ())},
        items={},
    )


def _slow(mapper: ChildMapper, element: etree._Element, kind: int, path: str) -> object:
    """A value the fast look-up did not know: stripped and checked, and reported when it is not usable."""
    if kind == _DATE:
        return mapper.date(element, path)
    if kind == _COUNT:
        return mapper.count(element, path)
    if kind == _YES_NO:
        return mapper.yes_no(element, path)
    return mapper.code(element, path, keep=True)  # a code a DfE rule checks: kept as sent (and reported)


def _fields(
    mapper: ChildMapper, node: etree._Element, path: str, table: dict[object, _ItemSpec], *, out: _Data
) -> list[etree._Element]:
    """Set ``out[field]`` from the simple child elements of ``node`` named in ``table``; return the others.

    This is the one pass over ``node``'s children: the elements not in ``table`` (repeated parts, lists of
    factors or reviews) are handed back for the caller to map. The hot path of the reader, kept lean.
    """
    lineage = mapper.lineage
    file = mapper.file
    others: list[etree._Element] = []
    for element in node[:]:
        spec = table.get(element.tag)
        if spec is None:
            others.append(element)
            continue
        field, known, kind, step, tag_suffix, pointer = spec
        if field in out:
            continue  # repeated: the schema reports it, the first is kept
        value = known.get(element.text)
        if value is None:
            value = _slow(mapper, element, kind, path + tag_suffix)
            if value is None:
                continue
        out[field] = value
        lineage.append((pointer, file, element.sourceline, None, None, path + tag_suffix, step))
    return others


_EPISODE_STEP: Final = STEP_PREFIX + "CINdetails:position"
_KIND_STEP: Final = STEP_PREFIX + "Assessments:single-assessment"
_SEEN_STEP: Final = STEP_PREFIX + "Assessments:no-child-seen-date"
_FACTOR_STEP: Final = STEP_PREFIX + "AssessmentFactors"
_REVIEW_STEP: Final = STEP_PREFIX + "CPPreviewDate"

_PARTS: Final = {
    # element -> (list in the record, its id field, id stem after the episode's id, position step)
    tag: (name, id_field, "/" + PART_IDS[tag], STEP_PREFIX + tag + ":position")
    for tag, (name, id_field) in {
        "Assessments": ("assessments", "assessment_id"),
        "CINPlanDates": ("cin_plans", "plan_id"),
        "Section47": ("section47_enquiries", "enquiry_id"),
        "ChildProtectionPlans": ("child_protection_plans", "plan_id"),
    }.items()
}

_POINTED: Final = {
    "cin_episodes": ("episode_id", *[field for field, _ in _EPISODE.values()]),
    "assessments": (
        "assessment_id",
        "episode_id",
        "kind",
        "child_seen_known",
        "completed_date",
        *[field for field, _ in _ASSESSMENT.values()],
    ),
    "cin_plans": ("plan_id", "episode_id", *[field for field, _ in _CIN_PLAN.values()]),
    "section47_enquiries": ("enquiry_id", "episode_id", *[field for field, _ in _SECTION47.values()]),
    "child_protection_plans": ("plan_id", "episode_id", *[field for field, _ in _PROTECTION_PLAN.values()]),
}
"""The fields this module sets in each list's items (and so the JSON pointers its lineage names)."""
_ITEMS_MAX: Final = 20_000
"""Items remembered per census year (list and position) before the memo starts again."""


def item_of(tables: Tables, name: str, index: int) -> _Item:
    """Item ``index`` of list ``name``: its element table, each entry carrying the JSON pointer of its field
    in that item (one look-up per item instead of one per field), and its pointers (``""`` -> the item's own):
    made once and shared by every record, instead of one new string per lineage entry (bounded memo)."""
    items = tables.items
    item = items.get((name, index))
    if item is None:
        if len(items) >= _ITEMS_MAX:
            items.clear()
        prefix = f"/{name}/{index}"
        pointers = {field: f"{prefix}/{field}" for field in _POINTED[name]}
        pointers[""] = prefix
        table = {
            "cin_episodes": tables.episode,
            "assessments": tables.assessment,
            "cin_plans": tables.cin_plan,
            "section47_enquiries": tables.section47,
            "child_protection_plans": tables.protection_plan,
        }[name]
        item = items[name, index] = ({tag: (*spec, pointers[spec[0]]) for tag, spec in table.items()}, pointers)
    return item


def _assessment(
    mapper: ChildMapper, tables: Tables, node: etree._Element, path: str, item: _Item, *, out: _Data
) -> None:
    """Like :func:`_fields` (inlined: one assessment per referral is the common case), then the fixed
    values, ``completed_date`` (located where ``authorised_date`` was) and the factors."""
    lineage, file = mapper.lineage, mapper.file
    table, pointers = item
    group = authorised = None
    for element in node[:]:
        spec = table.get(element.tag)
        if spec is None:
            if group is None and element.tag == "FactorsIdentifiedAtAssessment":
                group = element
            continue
        field, known, kind, step, tag_suffix, pointer = spec
        if field in out:
            continue  # repeated: the schema reports it, the first is kept
        value = known.get(element.text)
        if value is None:
            value = _slow(mapper, element, kind, path + tag_suffix)
            if value is None:
                continue
        out[field] = value
        row = (pointer, file, element.sourceline, None, None, path + tag_suffix, step)
        lineage.append(row)
        if field == "authorised_date":
            authorised = row
    line = node.sourceline
    out["kind"] = "single"
    lineage.append((pointers["kind"], file, line, None, None, path, _KIND_STEP))
    out["child_seen_known"] = False
    lineage.append((pointers["child_seen_known"], file, line, None, None, path, _SEEN_STEP))
    if authorised is not None:
        out["completed_date"] = out["authorised_date"]
        lineage.append((pointers["completed_date"], *authorised[1:]))
    if group is None:
        return
    known_factors, pointer = tables.factors, pointers[""]
    stem = path + "/FactorsIdentifiedAtAssessment/AssessmentFactors["
    factors: list[str] = []
    position = 0
    for factor in group[:]:
        if factor.tag != "AssessmentFactors":
            continue
        position += 1
        ipath = f"{stem}{position}]"
        code = known_factors.get(factor.text)
        if code is None:
            code = mapper.code(factor, ipath)
            if code is None:
                continue
        lineage.append((f"{pointer}/factors/{len(factors)}", file, factor.sourceline, None, None, ipath, _FACTOR_STEP))
        factors.append(code)
    if factors:
        out["factors"] = factors


def _protection_plan(mapper: ChildMapper, node: etree._Element, path: str, item: _Item, *, out: _Data) -> None:
    others = _fields(mapper, node, path, item[0], out=out)
    group = next((element for element in others if element.tag == "Reviews"), None)
    if group is None:
        return
    lineage, file, pointer = mapper.lineage, mapper.file, item[1][""]
    stem = path + "/Reviews/CPPreviewDate["
    reviews: list[date] = []
    position = 0
    for review in group[:]:
        if review.tag != "CPPreviewDate":
            continue
        position += 1
        ipath = f"{stem}{position}]"
        value = RAW_DATES.get(review.text) or mapper.date(review, ipath)
        if value is not None:
            lineage.append(
                (f"{pointer}/review_dates/{len(reviews)}", file, review.sourceline, None, None, ipath, _REVIEW_STEP)
            )
            reviews.append(value)
    if reviews:
        out["review_dates"] = reviews


def map_episode(
    mapper: ChildMapper, tables: Tables, node: etree._Element, number: int, key: str, *, record: _Data
) -> None:
    """Map the ``number``-th (1-based) ``<CINdetails>`` of a child into ``record``'s lists.

    Each repeated part gets a stable id after the episode's (``201/C123/cin1/assessment2``, see
    :func:`~adapters.cin_census.mapper.part_id`) and an ``episode_id``, both located at the part's element.
    """
    path = f"{mapper.base}/CINdetails[{number}]"
    episodes: list[_Data] = record.setdefault("cin_episodes", [])
    items = tables.items
    table, pointers = items.get(("cin_episodes", len(episodes))) or item_of(tables, "cin_episodes", len(episodes))
    this_episode = f"{key}/cin{number}"  # episode_id(key, number)
    episode: _Data = {"episode_id": this_episode}
    lineage, file = mapper.lineage, mapper.file
    lineage.append((pointers["episode_id"], file, node.sourceline, None, None, path, _EPISODE_STEP))
    counts: dict[object, int] = {}
    for element in _fields(mapper, node, path, table, out=episode):
        tag = element.tag
        part_spec = _PARTS.get(tag)
        if part_spec is None:
            continue
        name, id_field, id_stem, position_step = part_spec
        part = counts[tag] = counts.get(tag, 0) + 1
        part_path = f"{path}/{tag}[{part}]"
        parts: list[_Data] = record.setdefault(name, [])
        item = items.get((name, len(parts))) or item_of(tables, name, len(parts))
        part_pointers = item[1]
        out: _Data = {id_field: f"{this_episode}{id_stem}{part}", "episode_id": this_episode}
        line = element.sourceline
        lineage.append((part_pointers[id_field], file, line, None, None, part_path, position_step))
        lineage.append((part_pointers["episode_id"], file, line, None, None, part_path, _EPISODE_STEP))
        if tag == "Assessments":
            _assessment(mapper, tables, element, part_path, item, out=out)
        elif tag == "ChildProtectionPlans":
            _protection_plan(mapper, element, part_path, item, out=out)
        else:
            _fields(mapper, element, part_path, item[0], out=out)
        parts.append(out)
    episodes.append(episode)
