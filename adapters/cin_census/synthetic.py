"""Synthetic CIN census data: plausible, schema-valid, seeded, and about no real child.

The census carries no names or addresses; what it does carry is generated here: LA child ids
(``SYN0000001``), UPNs with correct check letters (:func:`gateway.identifiers.upn_check_letter`) under the
file's LA number, or a reason the UPN is unknown, birth dates, sex, DfE codes drawn from the census year's
own code lists, and episodes whose dates follow each other in order. The records are exactly what the
reader gives back for the written file (ids, code descriptions, ``child_seen_known=False``), minus lineage.

Run ``python -m adapters.cin_census.synthetic --children 5000 --year 2025 -o cin.xml`` to write a file.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from adapters.cin_census.census import LAST_YEAR, SUPPORTED_YEARS
from adapters.cin_census.mapper import episode_id, part_id, record_key
from adapters.cin_census.schemas import CensusSchema, schema_for
from adapters.cin_census.writer import CinCensusWriter
from gateway import ChildRecord
from gateway.codes import DFE_ETHNICITY
from gateway.identifiers import upn_check_letter

__all__ = ["generate_records", "main", "write_file"]

_GENERATED_AT: Final = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
_WHITE_BRITISH_SHARE: Final = 0.6


def _day(rng: random.Random, start: date, end: date) -> date:
    span = max((end - start).days, 0)
    return start + timedelta(days=rng.randint(0, span))


def _upn(rng: random.Random, la_code: str) -> str:
    body = la_code + "".join(rng.choice("0123456789") for _ in range(9))
    return upn_check_letter(body) + body


class _Generator:
    def __init__(self, schema: CensusSchema, la_code: str, rng: random.Random) -> None:
        self.schema = schema
        self.codes = schema.codes
        self.la_code = la_code
        self.rng = rng
        self.reference = date(schema.year, 3, 31)
        self.year_start = date(schema.year - 1, 4, 1)

    def pick(self, name: str, exclude: tuple[str, ...] = ()) -> str:
        return self.rng.choice([code for code in self.codes[name] if code not in exclude])

    def child(self, number: int) -> dict[str, Any]:
        rng = self.rng
        person: dict[str, Any] = {}
        unborn = rng.random() < 0.02
        if unborn:
            person["expected_birth_date"] = _day(rng, self.reference, self.reference + timedelta(days=150))
            person["upn_unknown_reason"] = "UN6"
            person["sex"] = "U"
        else:
            person["birth_date"] = _day(rng, self.reference - timedelta(days=17 * 365), self.reference)
            person["sex"] = rng.choice(("M", "F", "F", "M", "U")) if rng.random() < 0.02 else rng.choice(("M", "F"))
            if rng.random() < 0.8:
                person["upn"] = _upn(rng, self.la_code)
                if rng.random() < 0.05:
                    person["former_upns"] = (_upn(rng, self.la_code),)
            else:
                person["upn_unknown_reason"] = rng.choice(("UN1", "UN2", "UN3", "UN4", "UN5"))
            if rng.random() < 0.005:
                person["death_date"] = _day(rng, person["birth_date"], self.reference)
        la_child_id = f"SYN{number:07d}"
        person["local_ids"] = ({"la_code": self.la_code, "la_child_id": la_child_id},)
        ethnicity = "WBRI" if rng.random() < _WHITE_BRITISH_SHARE else self.pick("Ethnicity")
        person["ethnicity"] = {
            "system": DFE_ETHNICITY,
            "code": ethnicity,
            "display": self.codes["Ethnicity"][ethnicity] or None,
        }
        if rng.random() < 0.15:
            person["disabilities"] = tuple(
                sorted({self.pick("Disability", ("NONE",)) for _ in range(rng.randint(1, 2))})
            )
        elif rng.random() < 0.7:
            person["disabilities"] = ("NONE",)
        record: dict[str, Any] = {"child": person}
        key = record_key(self.la_code, la_child_id, number)
        earliest = person.get("birth_date") or self.year_start - timedelta(days=200)
        for index in range(1 if rng.random() < 0.85 else 2):
            self.episode(record, episode_id(key, index + 1), max(earliest, self.year_start - timedelta(days=400)))
        return record

    def episode(self, record: dict[str, Any], this: str, earliest: date) -> None:
        rng = self.rng
        referral = _day(rng, earliest, self.reference - timedelta(days=30))
        episode: dict[str, Any] = {
            "episode_id": this,
            "referral_date": referral,
            "referral_source": self.pick("ReferralSource"),
            "primary_need": self.pick("PrimaryNeedCode"),
            "referral_nfa": rng.random() < 0.05,
        }
        record.setdefault("cin_episodes", []).append(episode)
        if episode["referral_nfa"]:  # no further action: closed on the day, nothing else happens
            episode["closure_date"], episode["closure_reason"] = referral, "RC8"
            return
        if rng.random() < 0.6:
            episode["closure_date"] = _day(rng, referral + timedelta(days=10), self.reference)
            episode["closure_reason"] = self.pick("ReasonForClosure", ("RC2", "RC8"))  # RC2: died
        for number in range(1, rng.choice((1, 1, 1, 2)) + 1):
            start = _day(rng, referral, referral + timedelta(days=10))
            assessment: dict[str, Any] = {
                "assessment_id": part_id(this, "Assessments", number),
                "episode_id": this,
                "kind": "single",
                "start_date": start,
                "child_seen_known": False,
            }
            if rng.random() < 0.85:
                done = _day(rng, start + timedelta(days=5), start + timedelta(days=60))
                assessment["authorised_date"] = assessment["completed_date"] = done
                assessment["factors"] = tuple(
                    dict.fromkeys(self.pick("AssessmentFactors") for _ in range(rng.randint(1, 3)))
                )
            record.setdefault("assessments", []).append(assessment)
        if self.schema.has_cin_plan_dates and rng.random() < 0.3:
            start = _day(rng, referral + timedelta(days=20), referral + timedelta(days=60))
            plan = {"plan_id": part_id(this, "CINPlanDates", 1), "episode_id": this, "start_date": start}
            if rng.random() < 0.5:
                plan["end_date"] = start + timedelta(days=rng.randint(30, 200))
            record.setdefault("cin_plans", []).append(plan)
        if rng.random() < 0.2:
            self.protection(record, this, referral)

    def protection(self, record: dict[str, Any], this: str, referral: date) -> None:
        rng = self.rng
        start = _day(rng, referral, referral + timedelta(days=10))
        conference = start + timedelta(days=rng.randint(5, 15))
        record.setdefault("section47_enquiries", []).append(
            {
                "enquiry_id": part_id(this, "Section47", 1),
                "episode_id": this,
                "start_date": start,
                "icpc_target_date": start + timedelta(days=15),
                "icpc_date": conference,
                "icpc_not_required": False,
            }
        )
        if rng.random() < 0.5:
            category = self.pick("InitialCategoryOfAbuse")
            reviews = tuple(conference + timedelta(days=90 * k) for k in range(1, rng.randint(1, 3) + 1))
            record.setdefault("child_protection_plans", []).append(
                {
                    "plan_id": part_id(this, "ChildProtectionPlans", 1),
                    "episode_id": this,
                    "start_date": conference,
                    "initial_category": category,
                    "latest_category": category,
                    "previous_plans": rng.randint(0 if self.schema.uses_sex else 1, 3),
                    "review_dates": reviews,
                }
            )


def generate_records(
    children: int, *, year: int = LAST_YEAR, seed: int = 0, la_code: str = "201"
) -> Iterator[ChildRecord]:
    """``children`` synthetic records for census ``year`` (end year), lazily, reproducibly from ``seed``."""
    generator = _Generator(schema_for(year), la_code, random.Random(seed))  # noqa: S311 - synthetic test data, not security
    for number in range(1, children + 1):
        yield ChildRecord.model_validate(generator.child(number))


def write_file(path: Path, children: int, *, year: int = LAST_YEAR, seed: int = 0, la_code: str = "201") -> None:
    """Write a schema-valid census file of ``children`` synthetic children (streamed: flat memory)."""
    writer = CinCensusWriter(census_year=year, la_code=la_code, generated_at=_GENERATED_AT)
    with path.open("wb") as out:
        for chunk in writer.iter_chunks(generate_records(children, year=year, seed=seed, la_code=la_code)):
            out.write(chunk)


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic CIN census file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--year", type=int, default=LAST_YEAR, choices=SUPPORTED_YEARS, help="census end year")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--la-code", default="201")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    write_file(args.output, args.children, year=args.year, seed=args.seed, la_code=args.la_code)


if __name__ == "__main__":
    main()
