"""Synthetic ICS practice records (and ``ics-xml`` messages) for demos, tests and benchmarks.

Every child, carer, practitioner, identifier and address is invented: names are drawn from common-name
lists, NHS numbers from the never-issued 999 range (with a correct modulus-11 check digit), UPNs carry a
correct check letter for the generating LA, postcodes have a valid shape, phone numbers are Ofcom drama
numbers and email addresses use ``example.org``. Output is deterministic for a seed, and child ``n`` is the
same whatever ``count`` is asked for.

Each :class:`SyntheticChild` lists its ``traits`` (see :data:`TRAITS`), so a test or a demo can find, for
example, the children whose assessment was completed without the child being seen (the ICS Phase 1B
rule). ``anomalies=False`` generates only records that keep the rules.

Command line: ``python -m adapters.ics_xml.synthetic --children 50 --seed 7 > sample.xml``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from adapters.ics_xml import _vocabulary as words
from adapters.ics_xml._synthetic_work import WorkMaker
from adapters.ics_xml.schema import ics_schema
from adapters.ics_xml.writer import write_message
from gateway import (
    Address,
    Carer,
    Child,
    ChildRecord,
    Coding,
    Consent,
    Involvement,
    LocalId,
    Organisation,
    PersonName,
)
from gateway.codes import DFE_ETHNICITY

__all__ = ["REFERENCE_DAY", "TRAITS", "SyntheticChild", "generate_children", "main", "synthetic_message"]

REFERENCE_DAY: Final = date(2026, 1, 15)
"""The default "today" of generated records (fixed, so output does not change with the calendar)."""

TRAITS: Final[dict[str, str]] = {
    "unborn": "an unborn child: expected birth date, UPN unknown UN6",
    "upn-unknown": "no UPN, with a DfE reason (UN1 under school age, UN6 unborn)",
    "shielded": "shielded: address and contacts must not leave in the directory view",
    "no-known-address": "the absence of an address is recorded",
    "nhs-number-invalid": "an NHS number whose check digit is wrong (anomaly)",
    "sensitive-with-consent": "a sensitive-service involvement with the consent that allows it",
    "sensitive-with-safeguarding-reason": "a sensitive-service involvement shared for a safeguarding reason",
    "sensitive-without-consent": "a sensitive-service involvement with neither consent nor reason (anomaly)",
    "assessment-seen-in-window": "a completed assessment with a child-seen visit between start and completion",
    "assessment-completed-unseen": "a completed assessment with no child-seen visit (anomaly, ICS Phase 1B)",
    "assessment-seen-outside-window": "a completed assessment seen only before its start (anomaly, Phase 1B)",
    "assessment-open": "an assessment in progress (not completed)",
    "section-47": "a section 47 enquiry with its initial child protection conference",
    "child-protection-plan": "a child protection plan",
    "cin-plan": "a child in need plan",
    "caf": "a CAF assessment",
    "caf-consent-active": "a CAF with an active consent",
    "caf-consent-withdrawn": "a CAF whose consent was withdrawn",
}

_ETHNICITY_WEIGHTS: Final = {
    "WBRI": 60,
    "WOTH": 6,
    "MWBC": 3,
    "MOTH": 3,
    "AIND": 3,
    "APKN": 3,
    "ABAN": 2,
    "BAFR": 4,
    "BCRB": 2,
    "CHNE": 1,
    "OOTH": 2,
    "NOBT": 2,
    "REFU": 1,
}


@dataclass(frozen=True)
class SyntheticChild:
    """One generated child record and what it exercises."""

    record: ChildRecord
    traits: frozenset[str]


class _Builder(WorkMaker):
    """Builds child ``index`` of ``seed``: the record, its case work and its CAFs."""

    # --- the record ---------------------------------------------------------------------------------------

    def build(self) -> SyntheticChild:
        rng = self.rng
        unborn = self.chance(0.04)
        sex = "U" if unborn or self.chance(0.02) else rng.choice("MF")
        family = rng.choice(words.FAMILY_NAMES)
        birth = None if unborn else self.day_between(self.today - timedelta(days=17 * 365), self.today)
        age = 0 if birth is None else (self.today - birth).days // 365
        upn, reason = (None, "UN6") if unborn else (None, "UN1") if age < 5 else (self.upn(), None)
        if reason:
            self.traits.add("upn-unknown")
        if unborn:
            self.traits.add("unborn")
        shielded = self.chance(0.06)
        no_address = not shielded and self.chance(0.03)
        self.traits.update({"shielded"} if shielded else set())
        self.traits.update({"no-known-address"} if no_address else set())
        home = None if no_address else self.address(self.day_between(birth or self.today - timedelta(90), self.today))
        school = self.organisation("education") if age >= 4 else None
        child = Child(
            local_ids=(LocalId(la_code=self.la_code, la_child_id=f"ICS{self.seed % 1000:03d}{self.index:06d}"),),
            nhs_number=None if unborn else self.nhs_number(),
            nhs_number_verification=None if unborn else "01",
            upn=upn,
            upn_unknown_reason=reason,
            names=(PersonName(family=f"Baby of {family}"),) if unborn else (self.name(sex, family),),
            birth_date=birth,
            expected_birth_date=self.day_between(self.today, self.today + timedelta(days=150)) if unborn else None,
            sex=sex,
            ethnicity=Coding(system=DFE_ETHNICITY, code=rng.choices(*zip(*_ETHNICITY_WEIGHTS.items(), strict=True))[0]),
            disabilities=("NONE",) if self.chance(0.9) else (rng.choice(("LD", "COMM", "AUT", "BEH", "MOB")),),
            addresses=() if home is None else (home,),
            no_known_address=no_address,
            contacts=(self.phone(mobile=True),) if age >= 12 else (),
            shielded=shielded,
            shielding_reason=rng.choice(words.SHIELDING_REASONS) if shielded else None,
            education_setting=school,
            gp_practice=None
            if unborn
            else Organisation(
                code=rng.choice("ABCFGHJKLMNPY") + f"{rng.randint(0, 99999):05d}",
                code_system="ods",
                name=f"{rng.choice(words.TOWNS)} Medical Centre",
                kind="gp-practice",
            ),
        )
        carers = self.carers(family, home)
        involvements, consents = self.involvements(age, school)
        episode, assessments, s47, plans, cin_plans = self.case_work(birth or self.today)
        cafs = self.cafs(age, involvements) if self.chance(0.35) else ()
        record = ChildRecord(
            child=child,
            carers=carers,
            involvements=involvements,
            consents=consents,
            cin_episodes=(episode,) if episode else (),
            assessments=assessments,
            section47_enquiries=s47,
            child_protection_plans=plans,
            cin_plans=cin_plans,
            caf_assessments=cafs,
        )
        return SyntheticChild(record=record, traits=frozenset(self.traits))

    def carers(self, family: str, home: Address | None) -> tuple[Carer, ...]:
        relationships = self.rng.choice(
            (
                ("mother",),
                ("mother", "father"),
                ("father",),
                ("grandparent",),
                ("mother", "stepfather"),
                ("foster-carer",),
            )
        )
        carers = []
        for relationship in relationships:
            sex = "F" if relationship in ("mother", "grandparent") else "M"
            lives = relationship != "father" or self.chance(0.6)
            carers.append(
                Carer(
                    carer_id=self.next_id("C"),
                    names=(self.name(sex, family if relationship in ("mother", "father") else None),),
                    relationship=relationship,
                    parental_responsibility=relationship in ("mother", "father"),
                    lives_with_child=lives,
                    contacts=(self.phone(mobile=True),) + ((self.phone(mobile=False),) if self.chance(0.4) else ()),
                    addresses=(home,) if home is not None and lives else (self.address(self.today - timedelta(400)),),
                )
            )
        return tuple(carers)

    def involvements(
        self, age: int, school: Organisation | None
    ) -> tuple[tuple[Involvement, ...], tuple[Consent, ...]]:
        services = ["health-visiting"] if age < 5 else ["school-nursing"]
        if school is not None:
            services.append("education")
        sensitive = {"camhs": "mental_health", "sexual-health": "sexual_health", "substance-misuse": "substance_misuse"}
        if age >= 10 and self.chance(0.25):
            services.append(
                self.rng.choice(
                    [
                        s
                        for s, minimum in (("camhs", 10), ("sexual-health", 13), ("substance-misuse", 14))
                        if age >= minimum
                    ]
                )
            )
        involvements, consents = [], []
        for service in services:
            organisation = school if service == "education" and school else self.organisation(service)
            start = self.today - timedelta(days=self.rng.randint(30, 700))
            practitioner = self.practitioner(service, organisation)
            category, consent_id, reason = sensitive.get(service), None, None
            if category:
                roll = self.rng.random()
                if roll < 0.6 or (not self.anomalies and roll >= 0.85):
                    role = "child" if age >= 13 else "parent"
                    consent = self.consent("sensitive_service", role, start, (organisation.code or "",), practitioner)
                    consents.append(consent)
                    consent_id = consent.consent_id
                    self.traits.add("sensitive-with-consent")
                elif roll < 0.85:
                    reason = "Risk of significant harm: shared under the local safeguarding partnership protocol"
                    self.traits.add("sensitive-with-safeguarding-reason")
                else:
                    self.traits.add("sensitive-without-consent")
            involvements.append(
                Involvement(
                    involvement_id=self.next_id("I"),
                    service_type=service,
                    organisation=organisation,
                    practitioner=practitioner,
                    role=words.PRACTITIONER_ROLES[service],
                    start=start,
                    sensitive_category=category,
                    consent_id=consent_id,
                    safeguarding_reason=reason,
                )
            )
        return tuple(involvements), tuple(consents)


def generate_children(
    count: int, *, seed: int = 0, la_code: str = "201", today: date = REFERENCE_DAY, anomalies: bool = True
) -> Iterator[SyntheticChild]:
    """``count`` synthetic children of LA ``la_code`` (deterministic for ``seed``)."""
    ics_schema()  # fail early on a broken installation rather than mid-stream
    for index in range(1, count + 1):
        yield _Builder(index, seed=seed, la_code=la_code, today=today, anomalies=anomalies).build()


def synthetic_message(
    count: int,
    *,
    seed: int = 0,
    la_code: str = "201",
    supplier: str = "synthetic-ics",
    anomalies: bool = True,
    today: date = REFERENCE_DAY,
) -> bytes:
    """An ``ics-xml`` message of ``count`` synthetic children (message id and sent-at derived from the seed)."""
    records = (
        child.record for child in generate_children(count, seed=seed, la_code=la_code, today=today, anomalies=anomalies)
    )
    sent_at = datetime.combine(today, time(9, 30), tzinfo=UTC)
    return write_message(
        records, message_id=f"synthetic-{la_code}-{seed}-{count}", supplier=supplier, la_code=la_code, sent_at=sent_at
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write a synthetic ``ics-xml`` message to standard output (or ``--output``)."""
    parser = argparse.ArgumentParser(prog="python -m adapters.ics_xml.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--la-code", default="201")
    parser.add_argument("--clean", action="store_true", help="no deliberate rule violations")
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    data = synthetic_message(args.children, seed=args.seed, la_code=args.la_code, anomalies=not args.clean)
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
