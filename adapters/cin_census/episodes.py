"""``<CINdetails>`` -> a canonical CIN episode with its assessments, CIN plans, section 47 enquiries and
child protection plans (each with a stable id from the child and its position, and full lineage).

The census has no "child seen" date, so every assessment is ``child_seen_known=False`` and the ICS
Phase 1B child-seen rule reports "not evaluated" instead of passing or failing. DfE's
``AssessmentAuthorisationDate`` is the date the assessment was completed (authorised by the manager):
it sets both ``authorised_date`` and ``completed_date``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from lxml import etree

from adapters.cin_census.mapper import YES_NO, ChildMapper, episode_id, parse_date, part_id

__all__ = ["map_episode"]

_Data = dict[str, Any]
_Table = dict[object, tuple[str, str]]

_LISTS: Final = {
    "Assessments": "assessments",
    "CINPlanDates": "cin_plans",
    "Section47": "section47_enquiries",
    "ChildProtectionPlans": "child_protection_plans",
}
_ID_FIELDS: Final = {
    "Assessments": "assessment_id",
    "CINPlanDates": "plan_id",
    "Section47": "enquiry_id",
    "ChildProtectionPlans": "plan_id",
}
# element -> (canonical field, kind of value) for the simple values of each part; the step is the element
_EPISODE: Final[_Table] = {
    "CINreferralDate": ("referral_date", "date"),
    "ReferralSource": ("referral_source", "code"),
    "PrimaryNeedCode": ("primary_need", "code"),
    "CINclosureDate": ("closure_date", "date"),
    "ReasonForClosure": ("closure_reason", "code"),
    "DateOfInitialCPC": ("initial_cp_conference_date", "date"),
    "ReferralNFA": ("referral_nfa", "yes_no"),
}
_ASSESSMENT: Final[_Table] = {
    "AssessmentActualStartDate": ("start_date", "date"),
    "AssessmentInternalReviewDate": ("internal_review_date", "date"),
    "AssessmentAuthorisationDate": ("authorised_date", "date"),
}
_CIN_PLAN: Final[_Table] = {
    "CINPlanStartDate": ("start_date", "date"),
    "CINPlanEndDate": ("end_date", "date"),
}
_SECTION47: Final[_Table] = {
    "S47ActualStartDate": ("start_date", "date"),
    "InitialCPCtarget": ("icpc_target_date", "date"),
    "DateOfInitialCPC": ("icpc_date", "date"),
    "ICPCnotRequired": ("icpc_not_required", "yes_no"),
}
_PROTECTION_PLAN: Final[_Table] = {
    "CPPstartDate": ("start_date", "date"),
    "CPPendDate": ("end_date", "date"),
    "InitialCategoryOfAbuse": ("initial_category", "code"),
    "LatestCategoryOfAbuse": ("latest_category", "code"),
    "NumberOfPreviousCPP": ("previous_plans", "count"),
}


def _fields(
    mapper: ChildMapper, node: etree._Element, path: str, pointer: str, *, table: _Table, out: _Data
) -> list[etree._Element]:
    """Set ``out[field]`` from the simple child elements of ``node`` named in ``table``; return the others.

    This is the one pass over ``node``'s children: the elements not in ``table`` (repeated parts, lists of
    factors or reviews) are handed back for the caller to map.
    """
    codes = mapper.codes
    lineage = mapper.lineage
    others: list[etree._Element] = []
    for element in node:
        tag = element.tag
        spec = table.get(tag)
        if spec is None:
            others.append(element)
            continue
        field, kind = spec
        if field in out:
            continue  # repeated: the schema reports it, the first is kept
        text = element.text
        text = text.strip() if text else ""
        epath = f"{path}/{tag}"
        value: object
        if kind == "date":
            value = parse_date(text)
            if value is None:
                mapper.date(element, epath)  # records why
                continue
        elif kind == "count":
            value = mapper.count(element, epath)
            if value is None:
                continue
        else:
            allowed = codes.get(tag)
            if allowed is None or text not in allowed:
                mapper.code(element, epath)  # records why
                continue
            value = YES_NO[text] if kind == "yes_no" else text
        out[field] = value
        lineage.append((f"{pointer}/{field}", element.sourceline, epath, tag))
    return others


def _part(mapper: ChildMapper, node: etree._Element, path: str, pointer: str, *, ids: tuple[str, str, str]) -> _Data:
    """A repeated part of an episode (an assessment, a plan, an enquiry) with its id and episode id."""
    id_field, own_id, parent_id = ids
    out: _Data = {id_field: own_id, "episode_id": parent_id}
    mapper.source(f"{pointer}/{id_field}", node, path, f"{node.tag}:position")
    mapper.source(f"{pointer}/episode_id", node, path, "CINdetails:position")
    return out


def _assessment(mapper: ChildMapper, node: etree._Element, path: str, pointer: str, out: _Data) -> None:
    others = _fields(mapper, node, path, pointer, table=_ASSESSMENT, out=out)
    out["kind"] = "single"
    mapper.source(f"{pointer}/kind", node, path, "Assessments:single-assessment")
    out["child_seen_known"] = False
    mapper.source(f"{pointer}/child_seen_known", node, path, "Assessments:no-child-seen-date")
    if "authorised_date" in out:
        out["completed_date"] = out["authorised_date"]
        wanted = f"{pointer}/authorised_date"
        for entry in reversed(mapper.lineage):
            if entry[0] == wanted:
                mapper.lineage.append((f"{pointer}/completed_date", *entry[1:]))
                break
    group = next((element for element in others if element.tag == "FactorsIdentifiedAtAssessment"), None)
    if group is None:
        return
    factors: list[str] = []
    position = 0
    for item in group:
        if item.tag != "AssessmentFactors":
            continue
        position += 1
        ipath = f"{path}/FactorsIdentifiedAtAssessment/AssessmentFactors[{position}]"
        code = mapper.code(item, ipath)
        if code is not None:
            mapper.source(f"{pointer}/factors/{len(factors)}", item, ipath, "AssessmentFactors")
            factors.append(code)
    if factors:
        out["factors"] = factors


def _protection_plan(mapper: ChildMapper, node: etree._Element, path: str, pointer: str, out: _Data) -> None:
    others = _fields(mapper, node, path, pointer, table=_PROTECTION_PLAN, out=out)
    group = next((element for element in others if element.tag == "Reviews"), None)
    if group is None:
        return
    reviews: list[date] = []
    position = 0
    for item in group:
        if item.tag != "CPPreviewDate":
            continue
        position += 1
        ipath = f"{path}/Reviews/CPPreviewDate[{position}]"
        value = mapper.date(item, ipath)
        if value is not None:
            mapper.source(f"{pointer}/review_dates/{len(reviews)}", item, ipath, "CPPreviewDate")
            reviews.append(value)
    if reviews:
        out["review_dates"] = reviews


def map_episode(mapper: ChildMapper, node: etree._Element, number: int, key: str, record: _Data) -> None:
    """Map the ``number``-th (1-based) ``<CINdetails>`` of a child into ``record``'s lists."""
    path = f"{mapper.base}/CINdetails[{number}]"
    episodes: list[_Data] = record.setdefault("cin_episodes", [])
    pointer = f"/cin_episodes/{len(episodes)}"
    this_episode = episode_id(key, number)
    episode: _Data = {"episode_id": this_episode}
    mapper.source(f"{pointer}/episode_id", node, path, "CINdetails:position")
    counts = {"Assessments": 0, "CINPlanDates": 0, "Section47": 0, "ChildProtectionPlans": 0}
    for element in _fields(mapper, node, path, pointer, table=_EPISODE, out=episode):
        tag = element.tag
        if tag in counts:
            counts[tag] += 1
            _map_part(mapper, element, f"{path}/{tag}[{counts[tag]}]", this_episode, number=counts[tag], record=record)
    episodes.append(episode)


def _map_part(
    mapper: ChildMapper, node: etree._Element, path: str, episode: str, *, number: int, record: _Data
) -> None:
    tag = str(node.tag)
    ids = (_ID_FIELDS[tag], part_id(episode, tag, number), episode)
    items: list[_Data] = record.setdefault(_LISTS[tag], [])
    pointer = f"/{_LISTS[tag]}/{len(items)}"
    out = _part(mapper, node, path, pointer, ids=ids)
    if tag == "Assessments":
        _assessment(mapper, node, path, pointer, out)
    elif tag == "ChildProtectionPlans":
        _protection_plan(mapper, node, path, pointer, out)
    else:
        _fields(mapper, node, path, pointer, table=_CIN_PLAN if tag == "CINPlanDates" else _SECTION47, out=out)
    items.append(out)
