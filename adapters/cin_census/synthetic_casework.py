"""The casework of one synthetic child: CIN episodes and their parts, consistent with DfE's census rules.

A child's episodes are simulated forward in time, one after the other (the next referral on or after the
previous closure, so they never overlap), and each episode's work follows the order of practice:

- an assessment starts within a week of the referral and is authorised 5 to 40 days later, with the factors
  it identified (``21``, "no factors", only when the episode then closes with RC8/RC9);
- sometimes a section 47 enquiry starts during that assessment; its initial conference (never at a weekend,
  target date never at a weekend) is held within about two weeks, or is recorded as not required;
- a conference may start a child protection plan that day (reviews every few months, 3 to 18 months long),
  sometimes stepped down to a CIN plan starting the day it ends; without one, a CIN plan may follow the
  assessment; sometimes a second assessment follows the first once it is authorised;
- a closed episode closes after all of its work ended, with a reason that fits it (RC8/RC9 only after an
  assessment that led to nothing else, RC2 only for a child who died that day).

The census period (1 April to the reference date) then decides what the file carries: an episode closed
before the period belongs to an earlier census and is left out, and so is work completed before the period
(an assessment authorised, a conference held, a plan ended before 1 April). The latest episode may be open;
its work is cut at the reference date, so an assessment or enquiry still running is one that started
recently (within the 45 and 15 working days DfE allows). Referrals with no further action are closed on the
day with RC7 and fall inside the period.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Final

from adapters.cin_census.mapper import episode_id, part_id

__all__ = ["Casework", "weekday"]

_ONLY_AFTER_ASSESSMENT: Final = ("RC8", "RC9")
_OTHER_REASONS: Final = ("RC1", "RC3", "RC4", "RC5", "RC6", "RC7", "RC7", "RC7", "RC7")
_PART_TAGS: Final = {
    "assessments": "Assessments",
    "section47_enquiries": "Section47",
    "child_protection_plans": "ChildProtectionPlans",
    "cin_plans": "CINPlanDates",
}
_ID_KEYS: Final = {
    "assessments": "assessment_id",
    "section47_enquiries": "enquiry_id",
    "child_protection_plans": "plan_id",
    "cin_plans": "plan_id",
}
_BEFORE_PERIOD: Final = date.min
_NOT_FACTORS: Final = frozenset({"21", "18A", "19A"})  # 21 stands alone; DfE asks for 18B/C, 19B/C since 2024-25


def weekday(day: date) -> date:
    """``day``, or the Monday after it when it is a Saturday or Sunday."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


class Casework:
    """Builds the episodes of one child into a record dict (``cin_episodes``, ``assessments``, ...)."""

    def __init__(
        self,
        rng: random.Random,
        codes: dict[str, dict[str, str]],
        period: tuple[date, date],
        *,
        cin_plans: bool,
        fewest_previous_plans: int = 0,
    ) -> None:
        self.rng = rng
        self.codes = codes
        self.start, self.reference = period
        self.cin_plans = cin_plans
        self.fewest_previous_plans = fewest_previous_plans  # before 2024-25 the schema wants 1 or more
        self.factors = tuple(code for code in codes["AssessmentFactors"] if code not in _NOT_FACTORS)
        self.reasons = tuple(code for code in _OTHER_REASONS if code in codes["ReasonForClosure"])
        self.after_assessment = tuple(code for code in _ONLY_AFTER_ASSESSMENT if code in codes["ReasonForClosure"])

    def episodes(self, record: dict[str, Any], key: str, earliest: date, *, dies: bool) -> None:
        """Add one to three episodes to ``record``, the first referred on or after ``earliest``."""
        rng = self.rng
        wanted = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        low = max(earliest, self.start - timedelta(days=365))
        cursor = low if rng.random() < 0.3 else max(low, self.start)
        cursor = min(cursor, self.reference)
        kept = 0
        while kept < wanted and cursor <= self.reference:
            last_wanted = kept == wanted - 1
            referral = min(cursor + _days(rng, 0, 250 if kept == 0 else 120), self.reference)
            closure: date | None
            if referral >= self.start and rng.random() < 0.05:
                closure = self._no_further_action(record, episode_id(key, kept + 1), referral)
            else:
                closure = self._episode(record, episode_id(key, kept + 1), referral, last=last_wanted, dies=dies)
            if closure == _BEFORE_PERIOD:  # closed before the census period: an earlier census's episode
                cursor = referral + _days(rng, 1, 30)
                continue
            kept += 1
            if closure is None:  # open: nothing can follow it
                break
            cursor = closure + _days(rng, 5, 120)
        if kept == 0:  # every attempt fell before the period: refer the child inside it
            referral = max(self.start, min(earliest, self.reference))
            referral = min(referral + _days(rng, 0, max((self.reference - referral).days, 0)), self.reference)
            self._episode(record, episode_id(key, 1), referral, last=True, dies=dies)

    def _no_further_action(self, record: dict[str, Any], this: str, referral: date) -> date:
        record.setdefault("cin_episodes", []).append(
            {
                "episode_id": this,
                "referral_date": referral,
                "referral_source": self.rng.choice(tuple(self.codes["ReferralSource"])),
                "primary_need": self.rng.choice(tuple(self.codes["PrimaryNeedCode"])),
                "referral_nfa": True,
                "closure_date": referral,
                "closure_reason": "RC7",
            }
        )
        return referral

    def _episode(self, record: dict[str, Any], this: str, referral: date, *, last: bool, dies: bool) -> date | None:
        """Simulate one episode: its closure date, ``None`` when open, ``_BEFORE_PERIOD`` when it closed before
        the census period (and is left out)."""
        rng = self.rng
        work = self._work(this, referral)
        ends = [referral, *(d for part in work.values() for item in part for d in _dates(item))]
        ended = max(ends) + _days(rng, 0, 21)
        still_open = ended > self.reference or (last and rng.random() < 0.3)
        closure = None if still_open else ended
        if closure is not None and closure < self.start:
            return _BEFORE_PERIOD
        episode: dict[str, Any] = {
            "episode_id": this,
            "referral_date": referral,
            "referral_source": rng.choice(tuple(self.codes["ReferralSource"])),
            "primary_need": rng.choice(tuple(self.codes["PrimaryNeedCode"])),
            "referral_nfa": False,
        }
        work = self._in_period(work)
        if closure is not None:
            episode["closure_date"] = closure
            only_assessed = work["assessments"] and not (
                work["section47_enquiries"] or work["child_protection_plans"] or work["cin_plans"]
            )
            if dies and last:
                episode["closure_reason"] = "RC2"
            elif only_assessed and self.after_assessment and rng.random() < 0.8:
                episode["closure_reason"] = rng.choice(self.after_assessment)
            else:
                episode["closure_reason"] = rng.choice(self.reasons)
        nothing_found = episode.get("closure_reason") in _ONLY_AFTER_ASSESSMENT
        for assessment in work["assessments"]:
            if assessment.get("authorised_date"):
                assessment["completed_date"] = assessment["authorised_date"]
                if nothing_found and rng.random() < 0.4:
                    assessment["factors"] = ("21",)
                else:
                    assessment["factors"] = tuple(
                        sorted(rng.sample(self.factors, rng.randint(1, 4)), key=self.factors.index)
                    )
        record.setdefault("cin_episodes", []).append(episode)
        for name, items in work.items():
            for number, item in enumerate(items, 1):  # numbered as the reader numbers what the file carries
                item[_ID_KEYS[name]] = part_id(this, _PART_TAGS[name], number)
            if items:
                record.setdefault(name, []).extend(items)
        return closure

    def _work(self, this: str, referral: date) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        work: dict[str, list[dict[str, Any]]] = {
            "assessments": [],
            "section47_enquiries": [],
            "child_protection_plans": [],
            "cin_plans": [],
        }
        start = referral + _days(rng, 0, 7)
        done = start + _days(rng, 5, 40)
        first = {
            "episode_id": this,
            "kind": "single",
            "start_date": start,
            "child_seen_known": False,
        }
        work["assessments"].append(first)
        plan_from: date | None = None
        if rng.random() < 0.22:
            begun = start + _days(rng, 0, 10)
            enquiry: dict[str, Any] = {
                "episode_id": this,
                "start_date": begun,
            }
            if rng.random() < 0.75:
                conference = weekday(begun + _days(rng, 7, 14))
                enquiry.update(
                    icpc_target_date=weekday(begun + timedelta(days=21)), icpc_date=conference, icpc_not_required=False
                )
                done = max(done, conference + _days(rng, 0, 7))
                if rng.random() < 0.7:
                    ended = conference + _days(rng, 90, 540)
                    work["child_protection_plans"].append(self._protection(this, conference, ended))
                    if self.cin_plans and rng.random() < 0.5:
                        plan_from = ended
            else:
                enquiry.update(icpc_not_required=True)
                done = max(done, begun)
            work["section47_enquiries"].append(enquiry)
        elif self.cin_plans and rng.random() < 0.35:
            plan_from = done + _days(rng, 1, 14)
        first["authorised_date"] = done
        if plan_from is not None:
            work["cin_plans"].append(
                {
                    "episode_id": this,
                    "start_date": plan_from,
                    "end_date": plan_from + _days(rng, 60, 365),
                }
            )
        if rng.random() < 0.3:
            again = done + _days(rng, 10, 90)
            work["assessments"].append(
                {
                    "episode_id": this,
                    "kind": "single",
                    "start_date": again,
                    "authorised_date": again + _days(rng, 5, 40),
                    "child_seen_known": False,
                }
            )
        return work

    def _protection(self, this: str, start: date, end: date) -> dict[str, Any]:
        rng = self.rng
        reviews: list[date] = []
        review = start + _days(rng, 75, 90)
        while review < end:
            reviews.append(review)
            review += _days(rng, 150, 182)
        category = rng.choice(tuple(self.codes["InitialCategoryOfAbuse"]))
        latest = category if rng.random() < 0.85 else rng.choice(tuple(self.codes["LatestCategoryOfAbuse"]))
        return {
            "episode_id": this,
            "start_date": start,
            "end_date": end,
            "initial_category": category,
            "latest_category": latest,
            "previous_plans": max(rng.choice((0, 0, 0, 1, 1, 2, 3)), self.fewest_previous_plans),
            "review_dates": tuple(reviews),
        }

    def _in_period(self, work: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        """What the census carries of the work: cut at the reference date, without work ended before 1 April."""
        first, last = self.start, self.reference
        kept: dict[str, list[dict[str, Any]]] = {name: [] for name in work}
        for item in work["assessments"]:
            if item["start_date"] > last or item["authorised_date"] < first:
                continue
            if item["authorised_date"] > last:
                del item["authorised_date"]
            kept["assessments"].append(item)
        for item in work["section47_enquiries"]:
            held = item.get("icpc_date")
            if item["start_date"] > last or (held or item["start_date"]) < first:
                continue
            if held is not None and held > last:
                item.update(icpc_date=None, icpc_not_required=False)
            kept["section47_enquiries"].append(item)
        for name in ("child_protection_plans", "cin_plans"):
            for item in work[name]:
                if item["start_date"] > last or item["end_date"] < first:
                    continue
                if item["end_date"] > last:
                    del item["end_date"]
                if "review_dates" in item:
                    item["review_dates"] = tuple(day for day in item["review_dates"] if day <= last)
                kept[name].append(item)
        return kept


def _dates(item: dict[str, Any]) -> list[date]:
    return [value for key, value in item.items() if isinstance(value, date) and key != "icpc_target_date"]
