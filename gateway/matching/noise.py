"""Typing errors as people make them, for synthetic records: a letter changed, dropped, doubled or two
swapped; a digit changed or two digits swapped; a birth date with a mistyped digit or day and month swapped.
"""

from __future__ import annotations

import random
import string
from datetime import date

__all__ = ["mistype", "mistype_birth_date", "mistype_digits"]


def mistype(value: str, rng: random.Random) -> str:
    """One typing error in a name (never the first letter, which people rarely get wrong)."""
    if len(value) < 3:
        return value
    position = rng.randint(1, len(value) - 1)
    kind = rng.choice(("change", "drop", "double", "swap"))
    letter = rng.choice(string.ascii_lowercase)
    if kind == "change":
        return value[:position] + letter + value[position + 1 :]
    if kind == "drop":
        return value[:position] + value[position + 1 :]
    if kind == "double":
        return value[:position] + value[position] + value[position:]
    if position == len(value) - 1:
        position -= 1
    if position < 1:
        return value
    return value[:position] + value[position + 1] + value[position] + value[position + 2 :]


def mistype_digits(value: str, rng: random.Random) -> str:
    """One digit changed, or two neighbouring digits swapped (a no-op swap of equal digits changes one)."""
    digits = list(value)
    positions = [i for i, c in enumerate(digits) if c.isdigit()]
    if len(positions) < 2:
        return value
    i = rng.choice(positions[:-1])
    if rng.random() < 0.5 and digits[i + 1].isdigit() and digits[i] != digits[i + 1]:
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
    else:
        digits[i] = rng.choice([d for d in string.digits if d != digits[i]])
    return "".join(digits)


def mistype_birth_date(value: date, rng: random.Random, *, swap: bool = False) -> date:
    """Day and month swapped (when that is a different, real date), else one mistyped digit that still
    makes a real date; the date itself when neither is possible."""
    if swap and value.day <= 12 and value.day != value.month:
        return date(value.year, value.day, value.month)
    text = value.strftime("%Y%m%d")
    for _ in range(20):
        typed = mistype_digits(text[2:], rng)
        try:
            candidate = date(int(text[:2] + typed[:2]), int(typed[2:4]), int(typed[4:6]))
        except ValueError:
            continue
        if candidate != value and candidate.year <= date.today().year:
            return candidate
    return value
