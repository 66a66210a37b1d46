"""Deliberate mistakes for synthetic CIN census files: one DfE rule violation per chosen child.

Each kind breaks exactly one DfE rule and nothing else (the record stays schema-valid and every other rule
still passes), so a check of the file must find exactly the injected list. A chosen child's kind is drawn
evenly among the kinds its record allows (a child with no UPN cannot have a wrong UPN; the 2024-25 rules only
from census 2024-25 on), so a few children allow none and are left as they were:

=========  ======  =====================================================================================
rule       level   mistake
=========  ======  =====================================================================================
1510       MUST    a UPN's check letter is wrong
1530       MUST    a UPN carries an LA number that does not exist (999), with its check letter right
1570       MUST    the LA child id is 25 characters long (2024-25 on)
1580       MUST    the LA child id contains a hyphen (2024-25 on)
8790       MUST    disability NONE is recorded together with another disability
1103       MUST    a completed assessment starts three days before its episode's referral
8620       MUST    the child's latest, closed episode closes after the reference date
8841       MUST    a child protection plan has a review on the day it started
8870Q      SHOULD  an initial conference's target date is a Saturday
8585Q      SHOULD  an episode closed with RC2 (died) and no date of death
4012Q      SHOULD  a CIN plan within the census year starts and ends on the same day (2021-22 on)
8945Q      SHOULD  an assessment records factor 18A (2024-25 on)
=========  ======  =====================================================================================
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from adapters.cin_census.census import end_year_of_reference_date
from adapters.cin_census.schemas import CensusSchema
from gateway.identifiers import upn_check_letter

__all__ = ["ERROR_KINDS", "ErrorKind", "InjectedError", "inject"]

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class InjectedError:
    """One deliberate mistake: the DfE rule it breaks (``cin/1510``), the LA child id of the child it was made
    on (as written, after the mistake) and that child's position in the file (1-based)."""

    rule: str
    child: str
    position: int
    description: str


@dataclass(frozen=True, slots=True)
class ErrorKind:
    """A kind of mistake: the rule it breaks, and where it can be made (candidates) and how (apply)."""

    rule: str
    description: str
    candidates: Callable[[Data, CensusSchema], list[Any]]
    apply: Callable[[Data, Any, random.Random], None]


def _period(schema: CensusSchema) -> tuple[date, date]:
    return date(schema.year - 1, 4, 1), date(schema.year, 3, 31)


def _upn(data: Data, schema: CensusSchema) -> list[Any]:
    return ["upn"] if data["child"].get("upn") else []


def _wrong_letter(data: Data, _: Any, rng: random.Random) -> None:
    upn: str = data["child"]["upn"]
    data["child"]["upn"] = rng.choice([c for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if c != upn[0]]) + upn[1:]


def _unknown_la(data: Data, _: Any, rng: random.Random) -> None:
    body = "999" + data["child"]["upn"][4:]
    data["child"]["upn"] = upn_check_letter(body) + body


def _from_2025(data: Data, schema: CensusSchema) -> list[Any]:
    return ["id"] if schema.year >= 2025 else []


def _rekey(data: Data, new_id: str) -> None:
    local = data["child"]["local_ids"][0]
    old = f"{local['la_code']}/{local['la_child_id']}/"
    new = f"{local['la_code']}/{new_id}/"
    data["child"]["local_ids"] = ({**local, "la_child_id": new_id},)
    for name in ("cin_episodes", "assessments", "section47_enquiries", "child_protection_plans", "cin_plans"):
        for item in data.get(name, ()):
            for key, value in item.items():
                if key.endswith("_id") and isinstance(value, str) and value.startswith(old):
                    item[key] = new + value[len(old) :]


def _long_id(data: Data, _: Any, rng: random.Random) -> None:
    _rekey(data, data["child"]["local_ids"][0]["la_child_id"] + "X" * 15)


def _hyphen_id(data: Data, _: Any, rng: random.Random) -> None:
    _rekey(data, "SYN-" + data["child"]["local_ids"][0]["la_child_id"][3:])


def _no_disability(data: Data, schema: CensusSchema) -> list[Any]:
    return ["NONE"] if data["child"].get("disabilities") == ("NONE",) else []


def _none_and_other(data: Data, _: Any, rng: random.Random) -> None:
    data["child"]["disabilities"] = ("NONE", rng.choice(("MOB", "HEAR", "VIS", "LD")))


def _episode_of(data: Data, part: Data) -> Data:
    return next(e for e in data["cin_episodes"] if e["episode_id"] == part["episode_id"])


def _first_completed_assessments(data: Data, schema: CensusSchema) -> list[Any]:
    first: dict[str, Data] = {}
    for assessment in data.get("assessments", ()):
        known = first.get(assessment["episode_id"])
        if known is None or assessment["start_date"] < known["start_date"]:
            first[assessment["episode_id"]] = assessment
    return [a for a in first.values() if a.get("authorised_date")]


def _before_referral(data: Data, assessment: Data, rng: random.Random) -> None:
    assessment["start_date"] = _episode_of(data, assessment)["referral_date"] - timedelta(days=3)


def _latest_closed(data: Data, schema: CensusSchema) -> list[Any]:
    latest = max(data["cin_episodes"], key=lambda e: e["referral_date"])
    return [latest] if latest.get("closure_date") and latest.get("closure_reason") != "RC2" else []


def _closed_after_reference(data: Data, episode: Data, rng: random.Random) -> None:
    reference = date(end_year_of_reference_date(episode["closure_date"]), 3, 31)
    episode["closure_date"] = reference + timedelta(days=rng.randint(1, 30))


def _protection_plans(data: Data, schema: CensusSchema) -> list[Any]:
    return list(data.get("child_protection_plans", ()))


def _review_on_start(data: Data, plan: Data, rng: random.Random) -> None:
    plan["review_dates"] = (plan["start_date"], *plan["review_dates"])


def _targets(data: Data, schema: CensusSchema) -> list[Any]:
    return [s for s in data.get("section47_enquiries", ()) if s.get("icpc_target_date")]


def _target_saturday(data: Data, enquiry: Data, rng: random.Random) -> None:
    day: date = enquiry["icpc_target_date"]
    enquiry["icpc_target_date"] = day + timedelta(days=(5 - day.weekday()) % 7)


def _closed_not_dead(data: Data, schema: CensusSchema) -> list[Any]:
    return [
        e
        for e in data["cin_episodes"]
        if e.get("closure_reason") not in (None, "RC2", "RC8", "RC9") and not e.get("referral_nfa")
    ]


def _died_without_date(data: Data, episode: Data, rng: random.Random) -> None:
    episode["closure_reason"] = "RC2"


def _plans_in_period(data: Data, schema: CensusSchema) -> list[Any]:
    start, _ = _period(schema)
    return [p for p in data.get("cin_plans", ()) if p["start_date"] >= start]


def _same_day_plan(data: Data, plan: Data, rng: random.Random) -> None:
    plan["end_date"] = plan["start_date"]


def _factored(data: Data, schema: CensusSchema) -> list[Any]:
    if "18A" not in schema.codes["AssessmentFactors"] or schema.year < 2025:
        return []
    return [a for a in data.get("assessments", ()) if a.get("factors") and "21" not in a["factors"]]


def _old_factor(data: Data, assessment: Data, rng: random.Random) -> None:
    assessment["factors"] = (*assessment["factors"], "18A")


ERROR_KINDS: Final = (
    ErrorKind("cin/1510", "UPN check letter wrong", _upn, _wrong_letter),
    ErrorKind("cin/1530", "UPN LA number 999 does not exist", _upn, _unknown_la),
    ErrorKind("cin/1570", "LA child id longer than 20 characters", _from_2025, _long_id),
    ErrorKind("cin/1580", "LA child id with a hyphen", _from_2025, _hyphen_id),
    ErrorKind("cin/8790", "disability NONE with another disability", _no_disability, _none_and_other),
    ErrorKind("cin/1103", "assessment starts before the referral", _first_completed_assessments, _before_referral),
    ErrorKind("cin/8620", "episode closes after the reference date", _latest_closed, _closed_after_reference),
    ErrorKind("cin/8841", "child protection plan reviewed on its start date", _protection_plans, _review_on_start),
    ErrorKind("cin/8870Q", "initial conference target date on a Saturday", _targets, _target_saturday),
    ErrorKind("cin/8585Q", "closed with RC2 (died) and no date of death", _closed_not_dead, _died_without_date),
    ErrorKind("cin/4012Q", "CIN plan starts and ends the same day", _plans_in_period, _same_day_plan),
    ErrorKind("cin/8945Q", "assessment factor 18A", _factored, _old_factor),
)
"""The mistakes :func:`inject` makes, one DfE rule each."""


def inject(data: Data, schema: CensusSchema, rng: random.Random, position: int) -> InjectedError | None:
    """Make one mistake, of a kind drawn at random among those the child's record allows, in ``data``."""
    possible = [(kind, found) for kind in ERROR_KINDS if (found := kind.candidates(data, schema))]
    if not possible:
        return None
    kind, found = rng.choice(possible)
    kind.apply(data, rng.choice(found), rng)
    return InjectedError(kind.rule, data["child"]["local_ids"][0]["la_child_id"], position, kind.description)
