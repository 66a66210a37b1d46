"""Synthetic person-csv files for benchmarks, demos and the duplicate finder's evaluation. Invented people only.

Every NHS number passes modulus 11 and every UPN has its right check letter (``gateway.identifiers``).
With ``duplicate_rate`` > 0 some rows are second records of an earlier child (another local id, with
the variations real duplicates show: a typo, a nickname, a missing NHS number, a moved postcode, a
day/month swap); :attr:`SyntheticPerson.person_id` says which rows are the same child.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final

from gateway.identifiers import DFE_LA_NUMBER_RANGES, nhs_number_check_digit, upn_check_letter

__all__ = ["COLUMNS", "SyntheticPerson", "generate_people", "generate_person_csv", "to_csv"]

COLUMNS: Final = (
    "la_code", "la_child_id", "given_name", "family_name", "former_family_name", "birth_date", "sex", "ethnicity",
    "postcode", "address", "town", "nhs_number", "upn", "carer_given_name", "carer_family_name",
    "carer_relationship", "carer_parental_responsibility", "carer_phone",
)  # fmt: skip
_GIVEN_F: Final = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Sophia",
    "Grace",
    "Lily",
    "Freya",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Chloe",
    "Ruby",
    "Aisha",
    "Zara",
    "Maryam",
    "Jessica",
    "Elizabeth",
)
_GIVEN_M: Final = (
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Harry",
    "Leo",
    "Muhammad",
    "Jack",
    "Charlie",
    "Oscar",
    "Jacob",
    "Thomas",
    "William",
    "James",
    "Daniel",
    "Joshua",
    "Samuel",
    "Alexander",
    "Kai",
    "Yusuf",
)
_NICKNAMES: Final = {
    "Elizabeth": "Beth",
    "Alexander": "Alex",
    "William": "Will",
    "James": "Jim",
    "Thomas": "Tom",
    "Samuel": "Sam",
    "Daniel": "Dan",
    "Joshua": "Josh",
    "Jessica": "Jess",
    "Oliver": "Ollie",
}
_FAMILY: Final = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Ahmed",
    "Clarke",
    "Lewis",
    "Okafor",
    "Nowak",
    "Kowalski",
    "O'Brien",
    "Murphy",
    "Hughes",
    "Edwards",
    "Begum",
)
_STREETS: Final = ("High Street", "Station Road", "Church Lane", "Park Avenue", "Victoria Road", "Mill Lane")
_TOWNS: Final = ("Exampleton", "Sampleford", "Testbury", "Mockley", "Fakenham Parva")
_ETHNICITY: Final = ("WBRI", "WOTH", "MWBC", "MOTH", "AIND", "APKN", "ABAN", "BAFR", "BCRB", "CHNE", "OOTH", "NOBT")
_AREAS: Final = ("AB", "B", "BS", "CF", "E", "EC", "L", "LS", "M", "N", "NW", "SE", "SW", "W", "YO")
_INWARD: Final = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class SyntheticPerson:
    """One row, and which invented child it is (rows with the same ``person_id`` are the same child)."""

    person_id: int
    values: dict[str, str] = field(default_factory=dict)


def _nhs_number(rng: random.Random) -> str:
    # 999 000 0000 - 999 999 9999 is the range NHS England keeps for test data: never a real person's number.
    while True:
        first_nine = f"999{rng.randint(0, 999_999):06d}"
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def _upn(rng: random.Random, la_code: str) -> str:
    number = la_code if la_code.isdigit() and len(la_code) == 3 else f"{rng.choice(DFE_LA_NUMBER_RANGES)[0]:03d}"
    body = f"{number}{rng.randint(0, 99_999_999):08d}{rng.randint(0, 9)}"
    return upn_check_letter(body) + body


def _person(rng: random.Random, number: int, la_code: str) -> dict[str, str]:
    sex = rng.choice("MF")
    given = rng.choice(_GIVEN_F if sex == "F" else _GIVEN_M)
    if rng.random() < 0.3:
        given += " " + rng.choice(_GIVEN_F if sex == "F" else _GIVEN_M)
    family = rng.choice(_FAMILY)
    born = date(2008, 1, 1) + timedelta(days=rng.randint(0, 17 * 365))
    postcode = f"{rng.choice(_AREAS)}{rng.randint(1, 20)} {rng.randint(0, 9)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}"
    carer_family = family if rng.random() < 0.8 else rng.choice(_FAMILY)
    return {
        "la_code": la_code, "la_child_id": f"P{number:08d}", "given_name": given, "family_name": family,
        "former_family_name": rng.choice(_FAMILY) if rng.random() < 0.05 else "",
        "birth_date": born.isoformat(), "sex": sex, "ethnicity": rng.choice(_ETHNICITY), "postcode": postcode,
        "address": f"{rng.randint(1, 250)} {rng.choice(_STREETS)}", "town": rng.choice(_TOWNS),
        "nhs_number": _nhs_number(rng) if rng.random() < 0.9 else "",
        "upn": _upn(rng, la_code) if born < date(2021, 1, 1) and rng.random() < 0.85 else "",
        "carer_given_name": rng.choice(_GIVEN_F + _GIVEN_M), "carer_family_name": carer_family,
        "carer_relationship": rng.choice(("mother", "father", "grandparent", "foster-carer")),
        "carer_parental_responsibility": rng.choice(("Y", "Y", "N")),
        "carer_phone": f"07700 900{rng.randint(0, 999):03d}",
    }  # fmt: skip


def _variant(rng: random.Random, original: dict[str, str], number: int) -> dict[str, str]:
    copy = dict(original, la_child_id=f"P{number:08d}")
    change = rng.choice(("typo", "nickname", "no-nhs", "moved", "swap", "case"))
    given = copy["given_name"].split()
    if change == "typo" and len(copy["family_name"]) > 3:
        name = copy["family_name"]
        at = rng.randint(1, len(name) - 2)
        copy["family_name"] = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    elif change == "nickname" and given and given[0] in _NICKNAMES:
        copy["given_name"] = " ".join([_NICKNAMES[given[0]], *given[1:]])
    elif change == "no-nhs":
        copy["nhs_number"] = ""
    elif change == "moved":
        copy["postcode"] = f"{rng.choice(_AREAS)}{rng.randint(1, 20)} {rng.randint(0, 9)}AA"
    elif change == "swap":
        born = date.fromisoformat(copy["birth_date"])
        if born.day <= 12:
            copy["birth_date"] = date(born.year, born.day, born.month).isoformat()
    else:
        copy["given_name"] = copy["given_name"].upper()
        copy["family_name"] = copy["family_name"].upper()
    return copy


def generate_people(
    count: int, *, seed: int = 0, la_code: str = "201", duplicate_rate: float = 0.0
) -> list[SyntheticPerson]:
    """``count`` rows; about ``duplicate_rate`` of them are second records of an earlier child."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    people: list[SyntheticPerson] = []
    for number in range(1, count + 1):
        if people and rng.random() < duplicate_rate:
            original = rng.choice(people)
            people.append(replace(original, values=_variant(rng, original.values, number)))
        else:
            people.append(SyntheticPerson(person_id=number, values=_person(rng, number, la_code)))
    return people


def to_csv(people: Sequence[SyntheticPerson]) -> bytes:
    """The rows as a person-csv file (UTF-8, CRLF, header first)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for person in people:
        writer.writerow(person.values)
    return buffer.getvalue().encode("utf-8")


def generate_person_csv(count: int, *, seed: int = 0, la_code: str = "201", duplicate_rate: float = 0.0) -> bytes:
    """A synthetic person-csv file of ``count`` rows."""
    return to_csv(generate_people(count, seed=seed, la_code=la_code, duplicate_rate=duplicate_rate))
