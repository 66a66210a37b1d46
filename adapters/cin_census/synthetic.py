"""Synthetic CIN census data: plausible, schema-valid, seeded, about no real child, and clean by DfE's rules.

The census carries no names or addresses; what it does carry is generated here: LA child ids
(``SYN0000001``), UPNs with correct check letters (:func:`gateway.identifiers.upn_check_letter`) under the
file's LA number (unique in the file), or the UPN unknown reason that fits the child (UN1 under school age,
UN2-UN5 at school age, UN6 unborn), birth or expected birth dates, sex, ethnicity and disabilities (``NONE``
when the child has none) from the census year's own code lists, and casework whose dates follow each other
and fall in the census year as DfE's validation rules require (see
:mod:`adapters.cin_census.synthetic_casework`). A file written for census year Y has no error and no query
under the ``cin-census-*`` profile of that year (only 8842Q's "not evaluated" information), apart from the
LA-level statistical queries on very small files (2887Q wants more than 7 different disability codes in the
return, 2888Q a child with several). The records are exactly what the reader
gives back for the written file (ids, code descriptions, ``child_seen_known=False``), minus lineage.

``errors=0.02`` gives 2% of the children one deliberate mistake each, drawn from the documented list in
:mod:`adapters.cin_census.synthetic_errors`; :func:`write_file` returns what was injected (rule and child).

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
from adapters.cin_census.mapper import record_key
from adapters.cin_census.schemas import CensusSchema, schema_for
from adapters.cin_census.synthetic_casework import Casework
from adapters.cin_census.synthetic_errors import ERROR_KINDS, InjectedError, inject
from adapters.cin_census.writer import CinCensusWriter
from gateway import ChildRecord
from gateway.codes import DFE_ETHNICITY
from gateway.identifiers import upn_check_letter

__all__ = ["ERROR_KINDS", "InjectedError", "generate_records", "main", "write_file"]

_GENERATED_AT: Final = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
_WHITE_BRITISH_SHARE: Final = 0.6


def _day(rng: random.Random, start: date, end: date) -> date:
    span = max((end - start).days, 0)
    return start + timedelta(days=rng.randint(0, span))


class _Generator:
    def __init__(self, schema: CensusSchema, la_code: str, rng: random.Random) -> None:
        self.schema = schema
        self.codes = schema.codes
        self.la_code = la_code
        self.rng = rng
        self.reference = date(schema.year, 3, 31)
        self.year_start = date(schema.year - 1, 4, 1)
        # school age under either year's wording of rule 8770Q (born by 31 August six years before the reference
        # date's year, from 2024-25; six by the reference date before): the later of the two days
        self.school_age_born_by = date(schema.year - 6, 8, 31)
        self.casework = Casework(
            rng,
            self.codes,
            (self.year_start, self.reference),
            cin_plans=schema.has_cin_plan_dates,
            fewest_previous_plans=0 if schema.uses_sex else 1,
        )
        self.upns: set[str] = set()
        self.sex_unknown = 0
        self.disabilities = tuple(code for code in self.codes["Disability"] if code != "NONE")

    def pick(self, name: str) -> str:
        return self.rng.choice(tuple(self.codes[name]))

    def upn(self) -> str:
        while True:
            body = self.la_code + "".join(self.rng.choice("0123456789") for _ in range(9))
            upn = upn_check_letter(body) + body
            if upn not in self.upns:
                self.upns.add(upn)
                return upn

    def child(self, number: int) -> dict[str, Any]:
        rng = self.rng
        person: dict[str, Any] = {}
        if rng.random() < 0.02:  # unborn: expected within five months, sex not known, UPN reason UN6
            person["expected_birth_date"] = _day(
                rng, self.reference + timedelta(days=1), self.reference + timedelta(days=150)
            )
            person["upn_unknown_reason"] = "UN6"
            person["sex"] = "U"
            earliest = person["expected_birth_date"] - timedelta(days=270)
        else:
            born = _day(rng, self.reference - timedelta(days=int(17.5 * 365)), self.reference - timedelta(days=7))
            person["birth_date"] = earliest = born
            # sex not recorded for about 1 in 200, never more than DfE's 2% (rule 2886Q) of the children so far
            unknown = rng.random() < 0.005 and (self.sex_unknown + 1) <= 0.02 * number
            person["sex"] = "U" if unknown else rng.choice(("M", "F"))
            self.sex_unknown += unknown
            school_age = born <= self.school_age_born_by
            if rng.random() < (0.9 if school_age else 0.5):
                person["upn"] = self.upn()
                if rng.random() < 0.05:
                    person["former_upns"] = (self.upn(),)
            else:
                person["upn_unknown_reason"] = rng.choice(("UN2", "UN3", "UN4", "UN5")) if school_age else "UN1"
            if rng.random() < 0.12:
                count = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
                chosen = set(rng.sample(self.disabilities, count))
                person["disabilities"] = tuple(code for code in self.disabilities if code in chosen)
            else:
                person["disabilities"] = ("NONE",)
        la_child_id = f"SYN{number:07d}"
        person["local_ids"] = ({"la_code": self.la_code, "la_child_id": la_child_id},)
        ethnicity = "WBRI" if rng.random() < _WHITE_BRITISH_SHARE else self.pick("Ethnicity")
        person["ethnicity"] = {
            "system": DFE_ETHNICITY,
            "code": ethnicity,
            "display": self.codes["Ethnicity"][ethnicity] or None,
        }
        record: dict[str, Any] = {"child": person}
        dies = "birth_date" in person and rng.random() < 0.004
        self.casework.episodes(record, record_key(self.la_code, la_child_id, number), earliest, dies=dies)
        for episode in record["cin_episodes"]:
            if episode.get("closure_reason") == "RC2":
                person["death_date"] = episode["closure_date"]
        return record


def _check_share(errors: float) -> None:
    if not 0.0 <= errors <= 1.0:
        raise ValueError("errors is a share of the children, from 0.0 to 1.0")


def generate_records(
    children: int,
    *,
    year: int = LAST_YEAR,
    seed: int = 0,
    la_code: str = "201",
    errors: float = 0.0,
    injected: list[InjectedError] | None = None,
) -> Iterator[ChildRecord]:
    """``children`` synthetic records for census ``year`` (end year), lazily, reproducibly from ``seed``.

    ``errors`` is the share of children given one deliberate rule violation each (drawn from
    :data:`ERROR_KINDS` with a random stream of its own, so the other children are the same as with no
    errors); each one is appended to ``injected`` as it is generated."""
    _check_share(errors)
    schema = schema_for(year)
    generator = _Generator(schema, la_code, random.Random(seed))  # noqa: S311 - synthetic test data, not security
    mistakes = random.Random(f"errors/{seed}")  # noqa: S311
    for number in range(1, children + 1):
        data = generator.child(number)
        if errors and mistakes.random() < errors:
            made = inject(data, schema, mistakes, number)
            if made is not None and injected is not None:
                injected.append(made)
        yield ChildRecord.model_validate(data)


def write_file(
    path: Path,
    children: int,
    *,
    year: int = LAST_YEAR,
    seed: int = 0,
    la_code: str = "201",
    errors: float = 0.0,
) -> list[InjectedError]:
    """Write a schema-valid census file of ``children`` synthetic children (streamed: flat memory).

    Returns the deliberate mistakes made (none unless ``errors`` > 0), in the order of the children."""
    _check_share(errors)  # before the file is opened
    writer = CinCensusWriter(census_year=year, la_code=la_code, generated_at=_GENERATED_AT)
    injected: list[InjectedError] = []
    records = generate_records(children, year=year, seed=seed, la_code=la_code, errors=errors, injected=injected)
    with path.open("wb") as out:
        for chunk in writer.iter_chunks(records):
            out.write(chunk)
    return injected


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic CIN census file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--year", type=int, default=LAST_YEAR, choices=SUPPORTED_YEARS, help="census end year")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--la-code", default="201")
    parser.add_argument("--errors", type=float, default=0.0, help="share of children given one deliberate mistake")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    write_file(args.output, args.children, year=args.year, seed=args.seed, la_code=args.la_code, errors=args.errors)


if __name__ == "__main__":
    main()
