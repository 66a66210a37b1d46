"""Features computed once per record (normalised names, phonetic codes, nickname forms, postcode parts) so
that comparing two records is mostly string equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from gateway.identifiers import is_valid_nhs_number, is_valid_uk_postcode, is_valid_upn
from gateway.matching.names import NicknameTable, compact_name, name_parts, normalise_name, phonetic
from gateway.matching.record import IdentityName, IdentityRecord

__all__ = ["PreparedAddress", "PreparedName", "PreparedRecord", "normalise_address_line", "prepare"]

# Royal Mail style abbreviations, so "12 Church Road" and "12 Church Rd" read alike.
_STREET_WORDS: Final = {
    "ROAD": "RD", "STREET": "ST", "AVENUE": "AVE", "AV": "AVE", "CLOSE": "CL", "DRIVE": "DR", "LANE": "LN",
    "CRESCENT": "CRES", "PLACE": "PL", "GARDENS": "GDNS", "TERRACE": "TER", "COURT": "CT", "SQUARE": "SQ",
    "GROVE": "GR", "PARK": "PK", "FLAT": "FLAT", "APARTMENT": "FLAT", "APT": "FLAT", "HOUSE": "HO",
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
}  # fmt: skip
_TOKEN: Final = re.compile(r"[A-Z0-9]+")


def normalise_address_line(line: str) -> str:
    """Upper case, punctuation dropped, street words abbreviated: ``12, Church Road`` -> ``12 CHURCH RD``."""
    tokens = _TOKEN.findall(line.upper())
    return " ".join(_STREET_WORDS.get(token, token) for token in tokens)


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name ready for comparison (all compact upper case; empty string when absent)."""

    given: str
    """First given name, compact (``MARY ANN`` in one entry is ``MARYANN``)."""
    initial: str
    given_forms: tuple[str, ...]
    """The formal names the first given name may stand for (nickname table), itself included."""
    given_phonetic: str
    given_family: tuple[str, ...]
    """Every form in the first given name's nickname family (for nicknames with typos); itself when none."""
    middles: tuple[str, ...]
    family: str
    family_parts: tuple[str, ...]
    """The parts of a double-barrelled surname (empty for a single surname)."""
    family_phonetic: str
    former: bool


@dataclass(frozen=True, slots=True)
class PreparedAddress:
    """An address ready for comparison."""

    line: str
    """Normalised first line, or empty."""
    number: str
    """The house number tokens of the line, joined (``12A``), or empty."""
    street: str
    postcode: str
    """Normalised postcode, or empty."""
    sector: str
    """Postcode sector (``SW1A 1``), or empty when the postcode is malformed."""


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """An :class:`IdentityRecord` with its comparison features."""

    record: IdentityRecord
    names: tuple[PreparedName, ...]
    birth_digits: str
    """``YYYYMMDD`` or empty."""
    sex: str
    """``M`` or ``F``; empty when unknown."""
    addresses: tuple[PreparedAddress, ...]
    nhs_number: str
    nhs_valid: bool
    upns: tuple[str, ...]
    upns_valid: tuple[bool, ...]
    local_ids: tuple[str, ...]
    local_las: tuple[str, ...]
    carers: tuple[PreparedName, ...]
    memo: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Values derived from the features once and reused (the blocking keys); not part of the record."""

    @property
    def record_id(self) -> str:
        return self.record.record_id


def _prepare_name(name: IdentityName, nicknames: NicknameTable) -> PreparedName:
    givens = [compact_name(g) for g in name.given]
    givens = [g for g in givens if g]
    given = givens[0] if givens else ""
    family_norm = normalise_name(name.family or "")
    family = family_norm.replace(" ", "")
    parts = name_parts(name.family or "")
    return PreparedName(
        given=given,
        initial=given[:1],
        given_forms=tuple(sorted(nicknames.forms(given))) if given else (),
        given_phonetic=phonetic(given),
        given_family=tuple(sorted(nicknames.family(given))) if given else (),
        middles=tuple(givens[1:]),
        family=family,
        family_parts=parts if len(parts) > 1 else (),
        family_phonetic=phonetic(family),
        former=name.former,
    )


def _prepare_address(line: str | None, postcode: str | None) -> PreparedAddress:
    normalised = normalise_address_line(line) if line else ""
    tokens = normalised.split()
    number = "".join(t for t in tokens if any(c.isdigit() for c in t))
    street = " ".join(t for t in tokens if not any(c.isdigit() for c in t))
    code = (postcode or "").strip().upper()
    sector = code[:-2] if code and is_valid_uk_postcode(code) else ""
    return PreparedAddress(line=normalised, number=number, street=street, postcode=code, sector=sector)


def prepare(record: IdentityRecord, nicknames: NicknameTable) -> PreparedRecord:
    """Compute the comparison features of ``record``."""
    birth = record.birth_date
    nhs = record.nhs_number or ""
    upns = tuple(u for u in record.upns if u)
    return PreparedRecord(
        record=record,
        names=tuple(p for p in (_prepare_name(n, nicknames) for n in record.names) if p.given or p.family),
        birth_digits=f"{birth.year:04d}{birth.month:02d}{birth.day:02d}" if birth else "",
        sex=record.sex if record.sex in ("M", "F") else "",
        addresses=tuple(
            a for a in (_prepare_address(x.line, x.postcode) for x in record.addresses) if a.line or a.postcode
        ),
        nhs_number=nhs,
        nhs_valid=bool(nhs) and is_valid_nhs_number(nhs),
        upns=upns,
        upns_valid=tuple(is_valid_upn(u) for u in upns),
        local_ids=tuple(sorted(set(record.local_ids))),
        local_las=tuple(sorted({x.split(":", 1)[0] for x in record.local_ids})),
        carers=tuple(p for p in (_prepare_name(n, nicknames) for n in record.carer_names) if p.given or p.family),
    )
