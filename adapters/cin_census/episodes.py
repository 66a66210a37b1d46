"""``<CINdetails>`` -> a canonical CIN episode with its assessments, CIN plans, section 47 enquiries and
child protection plans (each with a stable id from the child and its position, and full lineage).

The census has no "child seen" date, so every assessment is ``child_seen_known=False`` and the ICS
Phase 1B child-seen rule reports "not evaluated" instead of passing or failing. DfE's
``AssessmentAuthorisationDate`` is the date the assessment was completed (authorised by the manager):
it sets both ``authorised_date`` and ``completed_date``.

A code outside the census year's list is kept as sent where a DfE rule checks the code (referral source,
primary need, reason for closure, categories of abuse), so that the rule reports it; yes/no flags,
counts and dates that cannot be read are left unset.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from lxml import etree

from adapters.cin_census.mapper import KNOWN_DATES, PART_IDS, STEP_PREFIX, YES_NO, ChildMapper, parse_date

__all__ = ["map_episode"]

_Data = dict[str, Any]
_Spec = dict[str, tuple[str, str]]
_Table = dict[object, tuple[str, str, str]]


def _table(spec: _Spec) -> _Table:
    """element -> (canonical field, kind of value, mapping step id)."""
    return {tag: (field, kind, STEP_PREFIX + tag) for tag, (field, kind) in spec.items()}


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
# element -> (canonical field, kind of value) for the simple values of each part; the step id names the element
_EPISODE: Final = _table(
    {
        "CINreferralDate": ("referral_date", "date"),
        "ReferralSource": ("referral_source", "code"),
        "PrimaryNeedCode": ("primary_need", "code"),
        "CINclosureDate": ("closure_date", "date"),
        "ReasonForClosure": ("closure_reason", "code"),
        "DateOfInitialCPC": ("initial_cp_conference_date", "date"),
        "ReferralNFA": ("referral_nfa", "yes_no"),
    }
)
_ASSESSMENT: Final = _table(
    {
        "AssessmentActualStartDate": ("start_date", "date"),
        "AssessmentInternalReviewDate": ("internal_review_date", "date"),
        "AssessmentAuthorisationDate": ("authorised_date", "date"),
    }
)
_CIN_PLAN: Final = _table(
    {
        "CINPlanStartDate": ("start_date", "date"),
        "CINPlanEndDate": ("end_date", "date"),
    }
)
_SECTION47: Final = _table(
    {
        "S47ActualStartDate": ("start_date", "date"),
        "InitialCPCtarget": ("icpc_target_date", "date"),
        "DateOfInitialCPC": ("icpc_date", "date"),
        "ICPCnotRequired": ("icpc_not_required", "yes_no"),
    }
)
_PROTECTION_PLAN: Final = _table(
    {
        "CPPstartDate": ("start_date", "date"),
        "CPPendDate": ("end_date", "date"),
        "InitialCategoryOfAbuse": ("initial_category", "code"),
        "LatestCategoryOfAbuse": ("latest_category", "code"),
        "NumberOfPreviousCPP": ("previous_plans", "count"),
    }
)


def _fields(
    mapper: ChildMapper, node: etree._Element, path: str, pointer: str, *, table: _Table, out: _Data
) -> list[etree._Element]:
    """Set ``out[field]`` from the simple child elements of ``node`` named in ``table``; return the others.

    This is the one pass over ``node``'s children: the elements not in ``table`` (repeated parts, lists of
    factors or reviews) are handed back for the caller to map. The hot path of the reader, kept lean.
    """
    codes = mapper.codes
    lineage = mapper.lineage
    file = mapper.file
    others: list[etree._Element] = []
    for element in node:
        tag = element.tag
        spec = table.get(tag)
        if spec is None:
            others.append(element)
            continue
        field, kind, step = spec
        if field in out:
            continue  # repeated: the schema reports it, the first is kept
        text = element.text
        text = text.strip() if text else ""
        epath = f"{path}/{tag}"
        value: object
        if kind == "date":
            value = KNOWN_DATES.get(text) or parse_date(text)
            if value is None:
                mapper.date(element, epath)  # records why
                continue
        elif kind == "count":
            value = mapper.count(element, epath)
            if value is None:
                continue
        elif kind == "yes_no":
            if text not in codes.get(tag, ()):
                mapper.code(element, epath)  # records why
                continue
            value = YES_NO[text]
        else:  # a code a DfE rule checks: kept as sent when it is not in the list (and reported)
            allowed = codes.get(tag)
            if allowed is None or text not in allowed:
                value = mapper.code(element, epath, keep=True)
                if value is None:
                    continue
            else:
                value = text
        out[field] = value
        lineage.append((f"{pointer}/{field}", file, element.sourceline, None, None, epath, step))
    return others


_POSITION_STEPS: Final = {tag: f"{STEP_PREFIX}{tag}:position" for tag in _LISTS}
_EPISODE_STEP: Final = STEP_PREFIX + "CINdetails:position"
_KIND_STEP: Final = STEP_PREFIX + "Assessments:single-assessment"
_SEEN_STEP: Final = STEP_PREFIX + "Assessments:no-child-seen-date"
_FACTOR_STEP: Final = STEP_PREFIX + "AssessmentFactors"


def _assessment(mapper: ChildMapper, node: etree._Element, path: str, pointer: str, out: _Data) -> None:
    others = _fields(mapper, node, path, pointer, table=_ASSESSMENT, out=out)
    lineage, file, line = mapper.lineage, mapper.file, node.sourceline
    out["kind"] = "single"
    lineage.append((f"{pointer}/kind", file, line, None, None, path, _KIND_STEP))
    out["child_seen_known"] = False
    lineage.append((f"{pointer}/child_seen_known", file, line, None, None, path, _SEEN_STEP))
    if "authorised_date" in out:
        out["completed_date"] = out["authorised_date"]
        wanted = f"{pointer}/authorised_date"
        for entry in reversed(lineage):
            if entry[0] == wanted:
                lineage.append((f"{pointer}/completed_date", *entry[1:]))
                break
    group = None
    for element in others:
        if element.tag == "FactorsIdentifiedAtAssessment":
            group = element
            break
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
            lineage.append(
                (f"{pointer}/factors/{len(factors)}", file, item.sourceline, None, None, ipath, _FACTOR_STEP)
            )
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
    """Map the ``number``-th (1-based) ``<CINdetails>`` of a child into ``record``'s lists.

    Each repeated part gets a stable id after the episode's (``201/C123/cin1/assessment2``, see
    :func:`~adapters.cin_census.mapper.part_id`) and an ``episode_id``, both located at the part's element.
    """
    path = f"{mapper.base}/CINdetails[{number}]"
    episodes: list[_Data] = record.setdefault("cin_episodes", [])
    pointer = f"/cin_episodes/{len(episodes)}"
    this_episode = f"{key}/cin{number}"  # episode_id(key, number)
    episode: _Data = {"episode_id": this_episode}
    lineage, file = mapper.lineage, mapper.file
    lineage.append((f"{pointer}/episode_id", file, node.sourceline, None, None, path, _EPISODE_STEP))
    counts = dict.fromkeys(_LISTS, 0)
    for element in _fields(mapper, node, path, pointer, table=_EPISODE, out=episode):
        tag = element.tag
        if tag not in counts:
            continue
        part = counts[tag] = counts[tag] + 1
        part_path = f"{path}/{tag}[{part}]"
        name = _LISTS[tag]
        items: list[_Data] = record.setdefault(name, [])
        part_pointer = f"/{name}/{len(items)}"
        id_field = _ID_FIELDS[tag]
        out: _Data = {id_field: f"{this_episode}/{PART_IDS[tag]}{part}", "episode_id": this_episode}
        line = element.sourceline
        lineage.append((f"{part_pointer}/{id_field}", file, line, None, None, part_path, _POSITION_STEPS[tag]))
        lineage.append((f"{part_pointer}/episode_id", file, line, None, None, part_path, _EPISODE_STEP))
        if tag == "Assessments":
            _assessment(mapper, element, part_path, part_pointer, out)
        elif tag == "ChildProtectionPlans":
            _protection_plan(mapper, element, part_path, part_pointer, out)
        else:
            table = _CIN_PLAN if tag == "CINPlanDates" else _SECTION47
            _fields(mapper, element, part_path, part_pointer, table=table, out=out)
        items.append(out)
    episodes.append(episode)
