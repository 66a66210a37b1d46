"""The case-work half of the synthetic generator: consents, CIN episodes, assessments with child-seen visits,
section 47 enquiries, plans and CAFs — with the deliberate anomalies the rule packs must catch.

Everything it makes is invented (see :mod:`adapters.ics_xml.synthetic`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from adapters.ics_xml import _vocabulary as words
from adapters.ics_xml._synthetic_people import PeopleMaker, working_days_after
from gateway import (
    Assessment,
    CafAction,
    CafAssessment,
    CafDomain,
    CafDomains,
    ChildProtectionPlan,
    CinEpisode,
    CinPlan,
    Consent,
    Involvement,
    Practitioner,
    Section47Enquiry,
)

__all__ = ["WorkMaker"]


class WorkMaker(PeopleMaker):
    """Adds consents, case work and CAFs to :class:`PeopleMaker` (traits are noted in ``self.traits``)."""

    def consent(
        self, purpose: str, role: str, day: date, scope: tuple[str, ...], obtained_by: Practitioner | None
    ) -> Consent:
        given_at = datetime.combine(day, time(self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45))), tzinfo=UTC)
        return Consent(
            consent_id=self.next_id("K"),
            purpose=purpose,
            given_by_role=role,
            given_by_name=self.name(self.rng.choice("MF")) if role != "child" else None,
            obtained_by=obtained_by,
            scope=tuple(code for code in scope if code),
            given_at=given_at,
        )

    def case_work(
        self, birth: date
    ) -> tuple[
        CinEpisode | None,
        tuple[Assessment, ...],
        tuple[Section47Enquiry, ...],
        tuple[ChildProtectionPlan, ...],
        tuple[CinPlan, ...],
    ]:
        if not self.chance(0.7):
            return None, (), (), (), ()
        social_care = self.organisation("social-care")
        latest = self.today - timedelta(days=10)  # unborn children are referred before birth, too
        referral = self.day_between(min(max(birth, self.today - timedelta(days=600)), latest), latest)
        episode = CinEpisode(
            episode_id=self.next_id("E"),
            referral_date=referral,
            referral_source=self.rng.choice(words.REFERRAL_SOURCES),
            primary_need=self.rng.choice(("N1", "N1", "N2", "N3", "N4", "N5", "N6", "N8")),
        )
        start = working_days_after(referral, self.rng.randint(0, 2))
        kind = self.rng.choice(("single", "single", "single", "initial", "core"))
        due = working_days_after(start, {"initial": 7, "core": 35}.get(kind, 45))
        completed: date | None = self.day_between(start + timedelta(days=3), due)
        seen: tuple[date, ...]
        roll = self.rng.random()
        if (completed is not None and completed > self.today) or roll < 0.12:
            completed, seen, trait = None, (start + timedelta(days=2),), "assessment-open"
        elif self.anomalies and roll < 0.2:
            seen, trait = (), "assessment-completed-unseen"
        elif self.anomalies and roll < 0.25:
            seen, trait = (start - timedelta(days=self.rng.randint(3, 20)),), "assessment-seen-outside-window"
        else:
            assert completed is not None  # noqa: S101
            seen, trait = (
                tuple(sorted({self.day_between(start, completed) for _ in range(self.rng.randint(1, 3))})),
                ("assessment-seen-in-window"),
            )
        self.traits.add(trait)
        authorised = working_days_after(completed, 2) if completed else None
        assessment = Assessment(
            assessment_id=self.next_id("A"),
            episode_id=episode.episode_id,
            kind=kind,
            start_date=start,
            child_seen_dates=seen,
            completed_date=completed,
            authorised_date=authorised if authorised and authorised <= self.today and self.chance(0.8) else None,
            factors=tuple(sorted(self.rng.sample(words.COMMON_FACTORS, self.rng.randint(1, 3)))) if completed else (),
            assessor=self.practitioner("social-care", social_care),
        )
        enquiries: tuple[Section47Enquiry, ...] = ()
        plans: tuple[ChildProtectionPlan, ...] = ()
        if completed and self.chance(0.3):
            s47_start = working_days_after(completed, 1)
            target = working_days_after(s47_start, 15)
            icpc = working_days_after(s47_start, self.rng.randint(8, 18))
            enquiries = (
                Section47Enquiry(
                    enquiry_id=self.next_id("S"),
                    episode_id=episode.episode_id,
                    start_date=s47_start,
                    icpc_target_date=target,
                    icpc_date=icpc if icpc <= self.today else None,
                ),
            )
            self.traits.add("section-47")
            if icpc <= self.today:
                category = self.rng.choice(("NEG", "NEG", "EMO", "PHY", "SAB", "MUL"))
                reviews = tuple(d for d in (icpc + timedelta(days=90), icpc + timedelta(days=270)) if d <= self.today)
                plans = (
                    ChildProtectionPlan(
                        plan_id=self.next_id("CP"),
                        episode_id=episode.episode_id,
                        start_date=icpc,
                        initial_category=category,
                        latest_category=category,
                        previous_plans=self.rng.choice((0, 0, 0, 1)),
                        review_dates=reviews,
                    ),
                )
                self.traits.add("child-protection-plan")
        cin_plans: tuple[CinPlan, ...] = ()
        if completed and not plans and working_days_after(completed, 5) <= self.today and self.chance(0.5):
            cin_plans = (
                CinPlan(
                    plan_id=self.next_id("CN"),
                    episode_id=episode.episode_id,
                    start_date=working_days_after(completed, 5),
                ),
            )
            self.traits.add("cin-plan")
        return episode, (assessment,), enquiries, plans, cin_plans

    def cafs(self, age: int, involvements: tuple[Involvement, ...]) -> tuple[CafAssessment, ...]:
        lead = involvements[-1].practitioner if involvements else None
        started = self.today - timedelta(days=self.rng.randint(20, 300))
        completed = started + timedelta(days=self.rng.randint(5, 20))
        agencies = tuple(i.organisation.code for i in involvements if i.organisation and i.organisation.code)
        role = "child" if age >= 13 else "parent"
        consent = self.consent("caf_sharing", role, started, (*agencies, self.la_code), lead)
        if self.chance(0.25):
            withdrawn = consent.given_at + timedelta(days=self.rng.randint(10, 60), hours=2)
            consent = consent.model_copy(
                update={"withdrawn_at": min(withdrawn, datetime.combine(self.today, time(9), tzinfo=UTC))}
            )
            self.traits.add("caf-consent-withdrawn")
        else:
            self.traits.add("caf-consent-active")
        self.traits.add("caf")

        def domain(key: str) -> CafDomain:
            return CafDomain(
                summary=self.rng.choice(words.CAF_SUMMARIES[key]),
                strengths=(self.rng.choice(words.CAF_STRENGTHS),),
                needs=(self.rng.choice(words.CAF_NEEDS),),
            )

        actions = tuple(
            CafAction(description=need, responsible=lead, due_date=completed + timedelta(days=28 * (n + 1)))
            for n, need in enumerate(self.rng.sample(words.CAF_NEEDS, self.rng.randint(1, 3)))
        )
        return (
            CafAssessment(
                caf_id=self.next_id("F"),
                version=self.rng.choice((1, 1, 2)),
                status="completed",
                started_date=started,
                completed_date=completed,
                assessor=lead,
                domains=CafDomains(
                    development_of_child=domain("development_of_child"),
                    parents_and_carers=domain("parents_and_carers"),
                    family_and_environment=domain("family_and_environment"),
                ),
                conclusions="Needs can be met through a team around the family; no statutory threshold met.",
                actions=actions,
                lead_professional=lead,
                review_date=completed + timedelta(days=84),
                consents=(consent,),
            ),
        )
