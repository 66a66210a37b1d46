"""Synthetic UK-like children's identity records with known truth, for the duplicate-matching benchmark.

Households of one to four children (siblings share a surname and carers; some are twins: same birth date,
different given names); each child gets one or more *records*, each a noisy view of the child as another
system holds it: nicknames and typos in names, surname changes (double-barrelled, step-parent's, with or
without the former name), swapped given and family names, birth-date typos and day/month swaps, moves of
address (with or without the earlier address), postcode typos, NHS numbers and UPNs missing or mistyped
(valid check digits whenever they are correct, via :mod:`gateway.identifiers`).

Names are drawn from the frequency tables in ``samples/synthetic/`` (see its README for their origin).
Everything is invented. Two settings, :data:`EASY` and :data:`HARD`; :meth:`SyntheticData.split` makes a
train/test split by household, so twins and siblings stay on one side.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from itertools import combinations

from gateway.identifiers import nhs_number_check_digit, upn_check_letter
from gateway.matching.names import load_nicknames
from gateway.matching.noise import mistype, mistype_birth_date, mistype_digits
from gateway.matching.record import IdentityAddress, IdentityName, IdentityRecord
from gateway.resources import data_dir

__all__ = ["EASY", "HARD", "Setting", "SyntheticData", "generate"]


@dataclass(frozen=True)
class Setting:
    """Probabilities of the ways records of one child differ (each applies per record)."""

    name: str
    extra_records: tuple[float, ...]
    """Probability of a second record, then of a third given a second, and so on."""
    twins: float
    nickname: float
    given_typo: float
    given_initial: float
    family_typo: float
    family_change: float
    former_name_kept: float
    swapped_names: float
    birth_typo: float
    birth_swap: float
    birth_missing: float
    moved: float
    history_kept: float
    postcode_typo: float
    address_missing: float
    nhs_missing: float
    nhs_typo: float
    upn_missing: float
    upn_typo: float
    sex_missing: float
    carers_missing: float
    same_council: float


EASY = Setting(
    name="easy", extra_records=(0.3, 0.15), twins=0.02, nickname=0.05, given_typo=0.03, given_initial=0.0,
    family_typo=0.03, family_change=0.01, former_name_kept=0.9, swapped_names=0.0, birth_typo=0.02,
    birth_swap=0.005, birth_missing=0.0, moved=0.1, history_kept=0.7, postcode_typo=0.01, address_missing=0.02,
    nhs_missing=0.1, nhs_typo=0.01, upn_missing=0.3, upn_typo=0.01, sex_missing=0.01, carers_missing=0.2,
    same_council=0.5,
)  # fmt: skip
HARD = Setting(
    name="hard", extra_records=(0.5, 0.3, 0.2), twins=0.04, nickname=0.15, given_typo=0.12, given_initial=0.03,
    family_typo=0.12, family_change=0.06, former_name_kept=0.5, swapped_names=0.02, birth_typo=0.08,
    birth_swap=0.03, birth_missing=0.01, moved=0.35, history_kept=0.4, postcode_typo=0.05, address_missing=0.1,
    nhs_missing=0.55, nhs_typo=0.04, upn_missing=0.6, upn_typo=0.04, sex_missing=0.05, carers_missing=0.5,
    same_council=0.4,
)  # fmt: skip

_LA_CODES = tuple(str(code) for code in (*range(201, 214), *range(301, 316)))


@dataclass(frozen=True)
class SyntheticData:
    """Records and the truth about them."""

    records: tuple[IdentityRecord, ...]
    child_of: Mapping[str, str]
    """Record id -> the child it is about."""
    household_of: Mapping[str, str]
    """Record id -> the child's household (twins and siblings share one)."""

    def true_pairs(self) -> set[tuple[str, str]]:
        """Every pair of records (ids in sorted order) that are about the same child."""
        by_child: dict[str, list[str]] = defaultdict(list)
        for record in self.records:
            by_child[self.child_of[record.record_id]].append(record.record_id)
        return {tuple(sorted(pair)) for ids in by_child.values() for pair in combinations(ids, 2)}  # type: ignore[misc]

    def split(self, test_share: float = 0.5, *, seed: int = 0) -> tuple[SyntheticData, SyntheticData]:
        """(train, test), split by household."""
        households = sorted(set(self.household_of.values()))
        random.Random(seed).shuffle(households)  # noqa: S311 - synthetic data
        test = set(households[: round(len(households) * test_share)])
        parts: tuple[list[IdentityRecord], list[IdentityRecord]] = ([], [])
        for record in self.records:
            parts[self.household_of[record.record_id] in test].append(record)
        return self._subset(parts[0]), self._subset(parts[1])

    def _subset(self, records: Iterable[IdentityRecord]) -> SyntheticData:
        kept = tuple(records)
        ids = {r.record_id for r in kept}
        return SyntheticData(
            kept,
            {k: v for k, v in self.child_of.items() if k in ids},
            {k: v for k, v in self.household_of.items() if k in ids},
        )


@cache
def _tables() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    folder = data_dir("samples") / "synthetic"

    def read(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))

    def cumulative(rows: list[tuple[str, float]]) -> tuple[tuple[str, ...], tuple[float, ...]]:
        total, cum = 0.0, []
        for _, weight in rows:
            total += weight
            cum.append(total)
        return tuple(name for name, _ in rows), tuple(cum)

    given = read("given-names.csv")
    parts = read("surname-parts.csv")
    starts = [p["part"] for p in parts if p["position"] == "start"]
    ends = [p["part"] for p in parts if p["position"] == "end"]
    given_parts = read("given-name-parts.csv")
    given_starts = [p["part"] for p in given_parts if p["position"] == "start"]
    given_ends = [p["part"] for p in given_parts if p["position"] == "end"]
    return {
        "rare-given": cumulative([(s + e, 1.0) for s in given_starts for e in given_ends]),
        "M": cumulative([(r["name"], float(r["weight"])) for r in given if r["sex"] == "M"]),
        "F": cumulative([(r["name"], float(r["weight"])) for r in given if r["sex"] == "F"]),
        "surname": cumulative([(r["name"], float(r["weight"])) for r in read("surnames.csv")]),
        "compound": cumulative([(s + e, 1.0) for s in starts for e in ends]),
        "street": cumulative([(f"{r['name']} {r['kind']}", 1.0) for r in read("streets.csv")]),
        "outward": cumulative([(r["outward"], 1.0) for r in read("outward-codes.csv")]),
    }


class _Maker:
    def __init__(self, setting: Setting, seed: int, years: tuple[int, int]) -> None:
        self.s = setting
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data
        self.tables = _tables()
        self.nicknames = load_nicknames()
        self.years = years
        self.nhs_used: set[str] = set()
        self.serial = 0
        self.upn_serial = 0
        self.variants: dict[str, list[str]] = defaultdict(list)
        for nickname, formals in self.nicknames.formal.items():
            for formal in formals:
                self.variants[formal].append(nickname)
                self.variants[nickname].append(formal)

    def pick(self, table: str) -> str:
        names, cum = self.tables[table]
        return self.rng.choices(names, cum_weights=cum)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def given(self, sex: str) -> str:
        """A given name: 45% from the ranked table, the rest from a long tail of rarer (invented) names."""
        return self.pick(sex) if self.chance(0.45) else self.pick("rare-given")

    def surname(self) -> str:
        """A surname: 30% from the ranked table (Smith about 1%), the rest from a long tail of invented ones."""
        if self.chance(0.7):
            return self.pick("compound")
        name = self.pick("surname")
        return f"{name}-{self.pick('surname')}" if self.chance(0.03) else name

    def address(self, near: IdentityAddress | None = None) -> IdentityAddress:
        """A new address; with ``near``, in the same postcode district (and often the same sector)."""
        rng = self.rng
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        if near is not None and near.postcode:
            outward, inward = near.postcode.split()
            sector = inward[0] if self.chance(0.4) else str(rng.randint(1, 9))
        else:
            outward, sector = self.pick("outward"), str(rng.randint(1, 9))
        return IdentityAddress(
            f"{rng.randint(1, 180)} {self.pick('street')}",
            f"{outward} {sector}{rng.choice(letters)}{rng.choice(letters)}",
        )

    def line_variant(self, address: IdentityAddress) -> IdentityAddress:
        """The same address as another system writes it: street kind abbreviated, a typo, or no line."""
        line = address.line or ""
        roll = self.rng.random()
        if roll < 0.2:
            for word, short in (("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave"), ("Close", "Cl"), ("Lane", "Ln")):
                line = line.replace(word, short)
        elif roll < 0.25:
            return IdentityAddress(None, address.postcode)
        elif roll < 0.28:
            line = mistype(line, self.rng)
        return IdentityAddress(line, address.postcode)

    def nhs_number(self) -> str:
        while True:
            body = f"{self.rng.randint(4, 7)}{self.rng.randint(0, 99_999_999):08d}"
            check = nhs_number_check_digit(body)
            if check is not None and body + str(check) not in self.nhs_used:
                self.nhs_used.add(body + str(check))
                return body + str(check)

    def upn(self, la: str) -> str:
        self.upn_serial += 1  # unique for 16 million children: two "year" digits x six serial digits
        year, serial = 10 + (self.upn_serial // 1_000_000) % 16, self.upn_serial % 1_000_000
        body = f"{la}{year}{serial:06d}{self.rng.randint(0, 9)}"
        return upn_check_letter(body) + body

    def child(self, sex: str, family: str, birth: date, la: str, exclude: set[str]) -> dict[str, object]:
        given = self.given(sex)
        while given in exclude:
            given = self.given(sex)
        middle = (self.given(sex),) if self.chance(0.4) else ()
        self.serial += 1
        addresses = [self.address()]
        return {
            "given": (given, *middle), "family": family, "birth": birth, "sex": sex, "nhs": self.nhs_number(),
            "upn": self.upn(la), "la": la, "local": f"C{self.serial:07d}", "addresses": addresses,
        }  # fmt: skip

    def household(self, number: int) -> list[dict[str, object]]:
        rng = self.rng
        family = self.surname()
        la = rng.choice(_LA_CODES)
        mother = IdentityName((self.given("F"),), family if self.chance(0.8) else self.surname())
        carers = [mother] + ([IdentityName((self.given("M"),), family)] if self.chance(0.6) else [])
        size = rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        first = date(self.years[0], 1, 1)
        span = (date(self.years[1], 12, 31) - first).days
        children: list[dict[str, object]] = []
        taken: set[str] = set()
        home = self.address()
        moved = self.address(home if self.chance(0.5) else None) if self.chance(self.s.moved) else None
        for index in range(size):
            twin = index > 0 and self.chance(self.s.twins)
            birth = children[-1]["birth"] if twin else first + timedelta(days=rng.randint(0, span))
            sex = str(children[-1]["sex"]) if twin and self.chance(0.6) else rng.choice("MF")
            child = self.child(sex, family, birth, la, taken)  # type: ignore[arg-type]
            taken.add(child["given"][0])  # type: ignore[index]
            child["addresses"] = [home, moved] if moved else [home]
            child["carers"] = carers
            child["id"] = f"h{number}c{index}"
            children.append(child)
        return children

    def carers(self, known: list[IdentityName]) -> list[IdentityName]:
        """Some of the child's carers as one system lists them (a nickname, sometimes a foster carer)."""
        listed = [c for c in known if self.chance(0.7)] or [known[0]]
        out = []
        for carer in listed:
            given = carer.given[0]
            if self.chance(0.1) and self.variants.get(given.upper()):
                given = self.rng.choice(self.variants[given.upper()]).title()
            out.append(IdentityName((given,), carer.family))
        if self.chance(0.05):
            out.append(IdentityName((self.given("F"),), self.surname()))
        return out

    def view(self, child: Mapping[str, object], record_id: str, first: bool) -> IdentityRecord:
        s, rng = self.s, self.rng
        given_all: tuple[str, ...] = child["given"]  # type: ignore[assignment]
        given, family = given_all[0], str(child["family"])
        if self.chance(s.nickname) and self.variants.get(given.upper()):
            given = rng.choice(self.variants[given.upper()]).title()
        if self.chance(s.given_typo):
            given = mistype(given, rng)
        if self.chance(s.given_initial):
            given = given[0]
        names: list[IdentityName] = []
        if self.chance(s.family_change):
            new = f"{family}-{self.surname()}" if self.chance(0.5) else self.surname()
            if self.chance(s.former_name_kept):
                names.append(IdentityName((given,), family, former=True))
            family = new
        if self.chance(s.family_typo):
            family = mistype(family, rng)
        middle = given_all[1:] if self.chance(0.5) else ()
        usual = IdentityName((family, given) if self.chance(s.swapped_names) else (given, *middle), family)
        if usual.given[0] == family and usual.given != (given, *middle):
            usual = IdentityName((family,), given)
        names.insert(0, usual)
        birth: date | None = child["birth"]  # type: ignore[assignment]
        if self.chance(s.birth_missing):
            birth = None
        elif birth is not None and self.chance(s.birth_typo + s.birth_swap):
            birth = mistype_birth_date(birth, rng, swap=self.chance(s.birth_swap / (s.birth_typo + s.birth_swap)))
        addresses: list[IdentityAddress] = list(child["addresses"])  # type: ignore[call-overload]
        if len(addresses) > 1:
            late = self.chance(0.5)
            addresses = (
                [addresses[1], addresses[0]] if late and self.chance(s.history_kept) else addresses[late : late + 1]
            )
        addresses = [self.line_variant(a) for a in addresses]
        if self.chance(s.postcode_typo) and addresses[0].postcode:
            pc = addresses[0].postcode
            addresses[0] = replace(addresses[0], postcode=pc[:-2] + rng.choice("ABDEFGHJLNPQRSTUWXYZ") + pc[-1])
        if self.chance(s.address_missing):
            addresses = []
        nhs = None if self.chance(s.nhs_missing) else str(child["nhs"])
        if nhs and self.chance(s.nhs_typo):
            nhs = mistype_digits(nhs, rng)
        upn = None if self.chance(s.upn_missing) else str(child["upn"])
        if upn and self.chance(s.upn_typo):
            upn = upn[0] + mistype_digits(upn[1:12], rng) + upn[12]
        same_council = first or self.chance(s.same_council)
        local = f"{child['la']}:{child['local'] if first else 'D' + record_id}" if same_council else None
        carers = [] if self.chance(s.carers_missing) else self.carers(child["carers"])  # type: ignore[arg-type]
        return IdentityRecord(
            record_id=record_id,
            names=tuple(names),
            birth_date=birth,
            sex=None if self.chance(s.sex_missing) else child["sex"],  # type: ignore[arg-type]
            addresses=tuple(addresses),
            nhs_number=nhs,
            upns=(upn,) if upn else (),
            local_ids=(local,) if local else (),
            carer_names=tuple(carers),
        )


def generate(setting: Setting, children: int, *, seed: int = 0, years: tuple[int, int] = (2008, 2025)) -> SyntheticData:
    """About ``children`` children (whole households) with their records, shuffled."""
    maker = _Maker(setting, seed, years)
    records: list[IdentityRecord] = []
    child_of: dict[str, str] = {}
    household_of: dict[str, str] = {}
    made = household = 0
    while made < children:
        for child in maker.household(household):
            copies = 1
            for p in setting.extra_records:
                if not maker.chance(p):
                    break
                copies += 1
            for copy in range(copies):
                record_id = f"r{len(records):07d}"
                records.append(maker.view(child, record_id, first=copy == 0))
                child_of[record_id] = str(child["id"])
                household_of[record_id] = f"h{household}"
            made += 1
        household += 1
    maker.rng.shuffle(records)
    return SyntheticData(tuple(records), child_of, household_of)
