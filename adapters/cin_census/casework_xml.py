"""Canonical case information -> ``<CINdetails>`` elements (the writer's half for episodes and their parts).

Each canonical episode becomes one ``<CINdetails>`` holding the assessments, CIN plans, section 47
enquiries and child protection plans whose ``episode_id`` points at it, in the schema's order. A part the
census year cannot carry (a missing required date, a code the year does not have, CIN plans before
2021-22, no previous plans before 2024-25) is left out with a ``write/...`` issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from lxml import etree

from adapters.cin_census.schemas import CensusSchema
from gateway import (
    Assessment,
    ChildProtectionPlan,
    ChildRecord,
    CinEpisode,
    CinPlan,
    Issue,
    Section47Enquiry,
)

__all__ = ["CaseworkWriter"]

_LEFT_OUT: Final = "write/left-out"


def _text(parent: etree._Element, tag: str, value: object) -> None:
    if value is not None:
        etree.SubElement(parent, tag).text = str(value)


class CaseworkWriter:
    """Writes a record's episodes for one census year, reporting what it leaves out into ``sink``."""

    def __init__(self, schema: CensusSchema, sink: list[Issue]) -> None:
        self.schema = schema
        self.codes = schema.codes
        self.sink = sink
        self.yes, self.no = ("1", "0") if schema.uses_sex else ("true", "false")

    def _left_out(self, message: str, pointer: str, child: str) -> None:
        self.sink.append(Issue(rule=_LEFT_OUT, severity="error", message=message, canonical_path=pointer, child=child))

    def _code(self, name: str, value: str | None, pointer: str, child: str) -> str | None:
        if value is None or value in self.codes[name]:
            return value
        self._left_out(f"{name} code is not a census {self.schema.label} code; left out", pointer, child)
        return None

    def _yes_no(self, value: bool | None) -> str | None:
        return None if value is None else (self.yes if value else self.no)

    def write(self, child: etree._Element, record: ChildRecord, pointer: str, child_id: str) -> bool:
        """Append one ``<CINdetails>`` per writable episode; False when none could be written."""
        written = False
        known = {episode.episode_id for episode in record.cin_episodes}
        parts: tuple[tuple[str, Sequence[Assessment | CinPlan | Section47Enquiry | ChildProtectionPlan]], ...] = (
            ("assessments", record.assessments),
            ("cin_plans", record.cin_plans),
            ("section47_enquiries", record.section47_enquiries),
            ("child_protection_plans", record.child_protection_plans),
        )
        for kind, items in parts:
            for index, item in enumerate(items):
                if item.episode_id not in known:
                    self._left_out(
                        "not linked to a CIN episode of the child; left out", f"{pointer}/{kind}/{index}", child_id
                    )
        for index, episode in enumerate(record.cin_episodes):
            written |= self._episode(child, record, episode, f"{pointer}/cin_episodes/{index}", child_id)
        return written

    def _episode(
        self, child: etree._Element, record: ChildRecord, episode: CinEpisode, pointer: str, child_id: str
    ) -> bool:
        if episode.referral_date is None or episode.referral_source is None or episode.referral_nfa is None:
            self._left_out("the episode lacks a referral date, source or NFA flag; left out", pointer, child_id)
            return False
        source = self._code("ReferralSource", episode.referral_source, f"{pointer}/referral_source", child_id)
        if source is None:
            return False
        node = etree.SubElement(child, "CINdetails")
        _text(node, "CINreferralDate", episode.referral_date)
        _text(node, "ReferralSource", source)
        _text(
            node,
            "PrimaryNeedCode",
            self._code("PrimaryNeedCode", episode.primary_need, f"{pointer}/primary_need", child_id),
        )
        _text(node, "CINclosureDate", episode.closure_date)
        _text(
            node,
            "ReasonForClosure",
            self._code("ReasonForClosure", episode.closure_reason, f"{pointer}/closure_reason", child_id),
        )
        _text(node, "DateOfInitialCPC", episode.initial_cp_conference_date)
        record_pointer = pointer.rsplit("/cin_episodes/", 1)[0]
        mine = episode.episode_id
        self._assessments(node, record.assessments, mine, record_pointer, child_id)
        self._cin_plans(node, record.cin_plans, mine, record_pointer, child_id)
        self._section47(node, record.section47_enquiries, mine, record_pointer, child_id)
        _text(node, "ReferralNFA", self._yes_no(episode.referral_nfa))
        self._protection_plans(node, record.child_protection_plans, mine, record_pointer, child_id)
        return True

    def _assessments(
        self, node: etree._Element, items: Sequence[Assessment], episode: str, base: str, child: str
    ) -> None:
        for index, item in enumerate(items):
            if item.episode_id != episode:
                continue
            pointer = f"{base}/assessments/{index}"
            if item.start_date is None:
                self._left_out("the assessment has no start date; left out", pointer, child)
                continue
            part = etree.SubElement(node, "Assessments")
            _text(part, "AssessmentActualStartDate", item.start_date)
            _text(part, "AssessmentInternalReviewDate", item.internal_review_date)
            _text(part, "AssessmentAuthorisationDate", item.authorised_date or item.completed_date)
            factors = [f for f in item.factors if self._code("AssessmentFactors", f, f"{pointer}/factors", child)]
            if factors:
                group = etree.SubElement(part, "FactorsIdentifiedAtAssessment")
                for factor in factors:
                    _text(group, "AssessmentFactors", factor)

    def _cin_plans(self, node: etree._Element, items: Sequence[CinPlan], episode: str, base: str, child: str) -> None:
        for index, item in enumerate(items):
            if item.episode_id != episode:
                continue
            pointer = f"{base}/cin_plans/{index}"
            if not self.schema.has_cin_plan_dates:
                self._left_out(f"census {self.schema.label} has no CIN plan dates; left out", pointer, child)
            elif item.start_date is None:
                self._left_out("the CIN plan has no start date; left out", pointer, child)
            else:
                part = etree.SubElement(node, "CINPlanDates")
                _text(part, "CINPlanStartDate", item.start_date)
                _text(part, "CINPlanEndDate", item.end_date)

    def _section47(
        self, node: etree._Element, items: Sequence[Section47Enquiry], episode: str, base: str, child: str
    ) -> None:
        for index, item in enumerate(items):
            if item.episode_id != episode:
                continue
            if item.start_date is None or item.icpc_not_required is None:
                message = "the section 47 enquiry lacks a start date or ICPC-not-required flag; left out"
                self._left_out(message, f"{base}/section47_enquiries/{index}", child)
                continue
            part = etree.SubElement(node, "Section47")
            _text(part, "S47ActualStartDate", item.start_date)
            _text(part, "InitialCPCtarget", item.icpc_target_date)
            _text(part, "DateOfInitialCPC", item.icpc_date)
            _text(part, "ICPCnotRequired", self._yes_no(item.icpc_not_required))

    def _protection_plans(
        self, node: etree._Element, items: Sequence[ChildProtectionPlan], episode: str, base: str, child: str
    ) -> None:
        least = 0 if self.schema.uses_sex else 1
        for index, item in enumerate(items):
            if item.episode_id != episode:
                continue
            pointer = f"{base}/child_protection_plans/{index}"
            initial = self._code("InitialCategoryOfAbuse", item.initial_category, f"{pointer}/initial_category", child)
            latest = self._code("LatestCategoryOfAbuse", item.latest_category, f"{pointer}/latest_category", child)
            previous = item.previous_plans
            if item.start_date is None or initial is None or latest is None or previous is None or previous < least:
                message = (
                    "the child protection plan lacks a start date, categories of abuse or a number of previous "
                    f"plans the census {self.schema.label} accepts; left out"
                )
                self._left_out(message, pointer, child)
                continue
            part = etree.SubElement(node, "ChildProtectionPlans")
            _text(part, "CPPstartDate", item.start_date)
            _text(part, "CPPendDate", item.end_date)
            _text(part, "InitialCategoryOfAbuse", initial)
            _text(part, "LatestCategoryOfAbuse", latest)
            _text(part, "NumberOfPreviousCPP", previous)
            if item.review_dates:
                reviews = etree.SubElement(part, "Reviews")
                for review in item.review_dates:
                    _text(reviews, "CPPreviewDate", review)
