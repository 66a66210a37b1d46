"""Names as the matcher sees them: normalised spellings, phonetic codes and the UK nickname table.

Normalisation keeps letters only (accents folded, upper case); hyphens and spaces separate the parts of a
double-barrelled surname (``Smith-Jones`` and ``Smith Jones`` both have parts ``SMITH`` and ``JONES``);
apostrophes and full stops vanish (``O'Brien`` is ``OBRIEN``).

The nickname table is data: ``mappings/codes/uk-nicknames.csv`` (columns ``name,nickname``), compiled by
the project from common English usage in the UK (Bill/William, Peggy/Margaret, Jack/John ...). A name may
stand for several formal names (Sandy: Alexander, Alexandra); two given names are *forms of the same name*
when their sets of formal names meet.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import jellyfish

from gateway.errors import ConfigurationError
from gateway.resources import data_dir

__all__ = [
    "NICKNAME_FILE",
    "NicknameTable",
    "compact_name",
    "load_nicknames",
    "name_parts",
    "normalise_name",
    "phonetic",
]

NICKNAME_FILE: Final = "codes/uk-nicknames.csv"
"""Where the built-in nickname table lives under ``mappings/``."""

_SEPARATORS: Final = frozenset(" -\u2010\u2011\u2012\u2013\u2014_/,")


@lru_cache(maxsize=65536)
def normalise_name(value: str) -> str:
    """Letters only, upper case, accents folded; separators become spaces (``Smith-Jones`` -> ``SMITH JONES``)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", value):
        if unicodedata.combining(char):
            continue
        if char.isalpha():
            out.append(char.upper())
        elif char in _SEPARATORS or char.isspace():
            out.append(" ")
    return " ".join("".join(out).split())


def name_parts(value: str) -> tuple[str, ...]:
    """The parts of a (possibly double-barrelled) name: ``Smith-Jones`` -> ``('SMITH', 'JONES')``."""
    return tuple(normalise_name(value).split())


def compact_name(value: str) -> str:
    """The normalised name without separators: ``Smith-Jones`` and ``Smith Jones`` -> ``SMITHJONES``."""
    return normalise_name(value).replace(" ", "")


@lru_cache(maxsize=65536)
def phonetic(value: str) -> str:
    """Metaphone code of a compact upper-case name (``SMITH`` and ``SMYTH`` -> ``SM0``); empty for no letters."""
    if not value:
        return ""
    return str(jellyfish.metaphone(value))


@dataclass(frozen=True)
class NicknameTable:
    """Formal names by nickname. Keys and values are compact upper-case names."""

    formal: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> NicknameTable:
        """Build from ``(formal name, nickname)`` pairs, in any case and spelling."""
        table: dict[str, set[str]] = {}
        for name, nickname in pairs:
            formal, short = compact_name(name), compact_name(nickname)
            if formal and short and formal != short:
                table.setdefault(short, set()).add(formal)
        return cls({key: frozenset(value) for key, value in table.items()})

    def forms(self, given: str) -> frozenset[str]:
        """The formal names ``given`` may stand for, including itself (compact upper case)."""
        return frozenset({given}) | self.formal.get(given, frozenset())

    def same_name(self, first: str, second: str) -> bool:
        """True when the two given names are forms of one name (``BILL``/``WILLIAM``, ``BILL``/``WILL``)."""
        return bool(self.forms(first) & self.forms(second))

    def family(self, given: str) -> frozenset[str]:
        """Every form in ``given``'s name family: its formal names and all their nicknames (OLLY: OLIVER, OLLIE)."""
        formal = self.forms(given)
        nicknames = self._nicknames_of()
        return formal.union(*(nicknames.get(name, frozenset()) for name in formal))

    def _nicknames_of(self) -> dict[str, frozenset[str]]:
        cached: dict[str, frozenset[str]] | None = self.__dict__.get("_reverse")
        if cached is None:
            reverse: dict[str, set[str]] = {}
            for nickname, formals in self.formal.items():
                for formal in formals:
                    reverse.setdefault(formal, set()).add(nickname)
            cached = {key: frozenset(value) for key, value in reverse.items()}
            object.__setattr__(self, "_reverse", cached)
        return cached

    def canonical(self, given: str) -> tuple[str, ...]:
        """The formal names ``given`` stands for (itself when it is not a known nickname), sorted."""
        found = self.formal.get(given)
        return tuple(sorted(found)) if found else (given,)


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            if reader.fieldnames is None or set(reader.fieldnames) != {"name", "nickname"}:
                raise ConfigurationError(f"{path.name}: a nickname table needs exactly the columns name,nickname")
            return [(row["name"], row["nickname"]) for row in reader]
    except OSError as exc:
        raise ConfigurationError(f"nickname table {path.name} cannot be read") from exc


@lru_cache(maxsize=8)
def load_nicknames(path: Path | None = None) -> NicknameTable:
    """The nickname table at ``path``, or the built-in UK table from ``mappings/``."""
    return NicknameTable.from_pairs(_read_pairs(path or data_dir("mappings") / NICKNAME_FILE))
