"""The people-and-places half of the synthetic generator: random stream, identifiers, names, contacts.

Everything it makes is invented (see :mod:`adapters.ics_xml.synthetic` and :mod:`adapters.ics_xml._vocabulary`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Final

from adapters.ics_xml import _vocabulary as words
from gateway import Address, ContactDetail, Organisation, PersonName, Practitioner
from gateway.identifiers import is_valid_uk_postcode, nhs_number_check_digit, upn_check_letter

__all__ = ["PeopleMaker", "working_days_after"]

_LONDON_AREAS: Final = ("N", "E", "SE", "SW", "NW", "W", "EN", "HA", "IG", "RM", "CR", "BR", "UB", "TW", "KT")


def working_days_after(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


class PeopleMaker:
    """Makes the people, identifiers and contacts of child ``index`` of ``seed`` (its own random stream)."""

    def __init__(self, index: int, *, seed: int, la_code: str, today: date, anomalies: bool) -> None:
        self.rng = random.Random(f"ics-synthetic:{seed}:{index}")  # noqa: S311 - synthetic data, not security
        self.index, self.seed, self.la_code, self.today, self.anomalies = index, seed, la_code, today, anomalies
        self.traits: set[str] = set()
        self.serial = 0

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def anomaly(self, probability: float) -> bool:
        return self.anomalies and self.chance(probability)

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.seed % 1000:03d}{self.index:06d}{self.serial:02d}"

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    # --- identifiers and contacts -------------------------------------------------------------------------

    def nhs_number(self) -> str:
        while True:
            first_nine = "999" + "".join(self.rng.choice("0123456789") for _ in range(6))
            check = nhs_number_check_digit(first_nine)
            if check is not None:
                break
        if self.anomaly(0.02):
            self.traits.add("nhs-number-invalid")
            check = (check + 1 + self.rng.randint(0, 8)) % 10
        return f"{first_nine}{check}"

    def upn(self) -> str:
        body = self.la_code + "".join(self.rng.choice("0123456789") for _ in range(9))
        return upn_check_letter(body) + body

    def postcode(self) -> str:
        while True:
            area = self.rng.choice(_LONDON_AREAS)
            district = str(self.rng.randint(1, 20 if len(area) == 1 else 9))
            inward = str(self.rng.randint(0, 9)) + "".join(self.rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
            value = f"{area}{district} {inward}"
            if is_valid_uk_postcode(value):
                return value

    def address(self, start: date) -> Address:
        street = f"{self.rng.randint(1, 180)} {self.rng.choice(words.STREETS)} {self.rng.choice(words.STREET_SUFFIXES)}"
        return Address(lines=(street,), town=self.rng.choice(words.TOWNS), postcode=self.postcode(), start=start)

    def phone(self, *, mobile: bool) -> ContactDetail:
        if mobile:
            return ContactDetail(system="phone", value=f"07700 900{self.rng.randint(0, 999):03d}", use="mobile")
        return ContactDetail(system="phone", value=f"020 7946 0{self.rng.randint(0, 999):03d}", use="home")

    def name(self, sex: str, family: str | None = None) -> PersonName:
        pool = words.GIVEN_NAMES_FEMALE if sex == "F" else words.GIVEN_NAMES_MALE
        given = (self.rng.choice(pool),) + ((self.rng.choice(pool),) if self.chance(0.3) else ())
        return PersonName(given=given, family=family or self.rng.choice(words.FAMILY_NAMES))

    def practitioner(self, service: str, organisation: Organisation) -> Practitioner:
        name = self.name(self.rng.choice("MF"))
        handle = f"{(name.given[0] if name.given else 'staff').lower()}.{(name.family or 'x').lower()}"
        email = "".join(char for char in handle if char.isalnum() or char == ".") + "@example.org"
        return Practitioner(
            practitioner_id=self.next_id("P"),
            name=name,
            role=words.PRACTITIONER_ROLES.get(service, "practitioner"),
            organisation=organisation,
            contacts=(
                ContactDetail(system="email", value=email, use="work"),
                ContactDetail(system="phone", value=f"020 7946 0{self.rng.randint(0, 999):03d}", use="work"),
            ),
        )

    def organisation(self, service: str) -> Organisation:
        if service in ("social-care", "early-help"):
            return Organisation(
                code=self.la_code, code_system="dfe-la", name="Children's Services", kind="children-social-care"
            )
        if service == "education":
            return Organisation(
                code=str(self.rng.randint(100000, 149999)),
                code_system="urn",
                name=f"{self.rng.choice(words.STREETS)} Primary School",
                kind="school",
            )
        code = self.rng.choice("RTY") + "".join(self.rng.choice("0123456789ABCDEFGHJK") for _ in range(4))
        return Organisation(
            code=code, code_system="ods", name=f"{self.rng.choice(words.TOWNS)} {service} service", kind="health"
        )
