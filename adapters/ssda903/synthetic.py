"""Synthetic SSDA903 submissions (CSV files or 903 XML) for benchmarks, demos and tests. Invented data only.

Every cell is valid for the chosen year's column spec; UPNs carry correct check letters
(:func:`gateway.identifiers.upn_check_letter`). The latest date falls in the collection year, so the
reader detects the year from the data.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Any, Final
from xml.sax.saxutils import escape

from adapters.ssda903.spec import load_year
from gateway.identifiers import DFE_LA_NUMBER_RANGES, upn_check_letter

__all__ = ["CARE_COLUMNS", "CSV_COLUMNS", "generate_submission", "generate_xml"]

CSV_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}  # fmt: skip
CARE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "oc2": ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
            "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "placed_for_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
}  # fmt: skip
"""The tables ``all_tables=True`` adds (drawn from their own random stream, so the others stay the same)."""
_AREAS: Final = ("AB", "B", "BS", "CF", "E", "EC", "L", "LS", "M", "N", "NW", "SE", "SW", "W", "YO")
_INWARD: Final = "ABDEFGHJLNPQRSTUWXYZ"


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class _Generator:
    def __init__(self, year: int, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.care_rng = random.Random(seed * 7919 + 1)  # noqa: S311
        self.spec = load_year(year)
        self.year = year
        self.start = date(year - 1, 4, 1)
        self.end = date(year, 3, 31)

    def codes(self, table: str, column: str) -> list[str]:
        return sorted(self.spec.tables[table][column].codes)

    def pick(self, table: str, column: str, rng: random.Random | None = None) -> str:
        return (rng or self.rng).choice(self.codes(table, column))

    def postcode(self) -> str:
        rng = self.rng
        return f"{rng.choice(_AREAS)}{rng.randint(1, 20)} {rng.randint(0, 9)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}"

    def upn(self) -> str:
        rng = self.rng
        if rng.random() < 0.05:
            return f"UN{rng.randint(1, 7)}"
        low, high = rng.choice(DFE_LA_NUMBER_RANGES)
        body = f"{rng.randint(low, high):03d}{rng.randint(0, 99_999_999):08d}{rng.randint(0, 9)}"
        return upn_check_letter(body) + body

    def day_between(self, first: date, last: date, rng: random.Random | None = None) -> date:
        return first + timedelta(days=(rng or self.rng).randint(0, max((last - first).days, 0)))

    def child(self, number: int) -> dict[str, Any]:
        rng = self.rng
        child_id = f"C{number:07d}"
        dob = self.day_between(self.end - timedelta(days=17 * 365), self.end - timedelta(days=60))
        sex = rng.choice(("1", "2")) if self.year < 2025 else rng.choice(("M", "F", "M", "F", "U"))
        header = {
            "CHILD": child_id,
            "SEX": sex,
            "DOB": _d(dob),
            "ETHNIC": self.pick("header", "ETHNIC"),
            "UPN": self.upn(),
            "MOTHER": "",
            "MC_DOB": "",
        }
        first_start = self.day_between(max(dob, self.start - timedelta(days=3 * 365)), self.end - timedelta(days=30))
        episodes = []
        start = first_start
        for index in range(rng.randint(1, 4)):
            last = index == 3 or rng.random() < 0.4
            end = (
                None
                if last and rng.random() < 0.6
                else self.day_between(start + timedelta(days=1), min(start + timedelta(days=200), self.end))
            )
            episodes.append(
                {
                    "CHILD": child_id,
                    "DECOM": _d(start),
                    "RNE": "S" if index == 0 else rng.choice(("L", "P", "T", "B")),
                    "LS": self.pick("episodes", "LS"),
                    "CIN": self.pick("episodes", "CIN"),
                    "PLACE": self.pick("episodes", "PLACE"),
                    "PLACE_PROVIDER": self.pick("episodes", "PLACE_PROVIDER"),
                    "DEC": _d(end) if end else "",
                    "REC": self.pick("episodes", "REC") if end else "",
                    "REASON_PLACE_CHANGE": self.pick("episodes", "REASON_PLACE_CHANGE")
                    if end and rng.random() < 0.5
                    else "",
                    "HOME_POST": self.postcode(),
                    "PL_POST": self.postcode(),
                    "URN": f"SC{rng.randint(100000, 999999)}",
                }
            )
            if end is None or end >= self.end:
                break
            start = end
        reviews = [
            {
                "CHILD": child_id,
                "DOB": _d(dob),
                "REVIEW": _d(self.day_between(first_start, self.end)),
                "REVIEW_CODE": self.pick("reviews", "REVIEW_CODE"),
            }
            for _ in range(rng.randint(0, 3))
        ]
        missing = []
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            began = self.day_between(first_start, self.end)
            missing.append(
                {
                    "CHILD": child_id,
                    "DOB": _d(dob),
                    "MISSING": rng.choice(("M", "A")),
                    "MIS_START": _d(began),
                    "MIS_END": _d(min(began + timedelta(days=rng.randint(0, 5)), self.end)),
                }
            )
        uasc = (
            [{"CHILD": child_id, "SEX": sex, "DOB": _d(dob), "DUC": _d(dob + timedelta(days=18 * 365))}]
            if (rng.random() < 0.05)
            else []
        )
        social = []
        if "sw_episodes" in self.spec.tables:
            social.append(
                {
                    "CHILD": child_id,
                    "DOB": _d(dob),
                    "SW_ID": f"SW{rng.randint(1000, 9999)}",
                    "SW_DECOM": _d(first_start),
                    "SW_DEC": "",
                    "SW_REASON": "",
                }
            )
        return {
            "header": [header],
            "episodes": episodes,
            "reviews": reviews,
            "missing": missing,
            "uasc": uasc,
            "sw_episodes": social,
            **self.care(child_id, dob, first_start, end, episodes),
        }

    def care(
        self, child_id: str, dob: date, first: date, ended: date | None, episodes: list[dict[str, str]]
    ) -> dict[str, list[dict[str, str]]]:
        """Rows of the other tables, as the return's guidance has them (OC2 after 12 months in care ...)."""
        rng = self.care_rng
        rows: dict[str, list[dict[str, str]]] = {table: [] for table in CARE_COLUMNS}
        age = (self.end - dob).days // 365
        last = episodes[-1]
        base = {"CHILD": child_id, "DOB": _d(dob)}
        if not last["DEC"] and (self.end - first).days >= 365:
            misuse = rng.random() < 0.1
            received = rng.choice(("0", "1")) if misuse else ""
            rows["oc2"].append(
                {
                    **base,
                    "SDQ_SCORE": str(rng.randint(0, 40)) if 4 <= age <= 16 else "",
                    "SDQ_REASON": "" if 4 <= age <= 16 else "SDQ1",
                    "CONVICTED": rng.choice(("0", "0", "1")) if age >= 10 else "",
                    "HEALTH_CHECK": rng.choice(("0", "1")) if age < 5 else "",
                    "IMMUNISATIONS": rng.choice(("0", "1", "1")),
                    "TEETH_CHECK": rng.choice(("0", "1", "1")),
                    "HEALTH_ASSESSMENT": rng.choice(("0", "1", "1")),
                    "SUBSTANCE_MISUSE": "1" if misuse else "0",
                    "INTERVENTION_RECEIVED": received,
                    "INTERVENTION_OFFERED": rng.choice(("0", "1")) if received == "0" else "",
                }
            )
        if age >= 16 and last["DEC"] and rng.random() < 0.5:
            rows["oc3"].append(
                {
                    **base,
                    "IN_TOUCH": self.pick("oc3", "IN_TOUCH", rng),
                    "ACTIV": self.pick("oc3", "ACTIV", rng),
                    "ACCOM": self.pick("oc3", "ACCOM", rng),
                }
            )
        if last["DEC"] and last["REC"] in ("E11", "E12"):
            adopted = ended or self.end  # set whenever DEC is
            decided = self.day_between(first, adopted - timedelta(days=60), rng)
            rows["ad1"].append(
                {
                    **base,
                    "DATE_INT": _d(decided),
                    "DATE_MATCH": _d(self.day_between(decided, adopted - timedelta(days=30), rng)),
                    "FOSTER_CARE": rng.choice(("0", "1")),
                    "NB_ADOPTR": "2",
                    "SEX_ADOPTR": rng.choice(("MF", "MM", "FF")),
                    "LS_ADOPTR": rng.choice(("L11", "L12", "L2")),
                }
            )
            rows["placed_for_adoption"].append(
                {**base, "DATE_PLACED": _d(decided), "DATE_PLACED_CEASED": "", "REASON_PLACED_CEASED": ""}
            )
        if rng.random() < 0.1:
            kind = self.pick("previous_permanence", "PREV_PERM", rng)
            low, high = rng.choice(DFE_LA_NUMBER_RANGES)
            rows["previous_permanence"].append(
                {
                    **base,
                    "PREV_PERM": kind,
                    "LA_PERM": "" if kind == "Z1" else str(rng.randint(low, high)),
                    "DATE_PERM": "" if kind == "Z1" else _d(self.day_between(dob, first - timedelta(days=1), rng)),
                }
            )
        return rows


def _children(children: int, year: int, seed: int) -> list[dict[str, Any]]:
    generator = _Generator(year, seed)
    return [generator.child(number) for number in range(1, children + 1)]


def generate_submission(
    children: int, *, year: int = 2024, seed: int = 0, all_tables: bool = False
) -> list[tuple[str, bytes]]:
    """``(file name, CSV bytes)`` for each table of a synthetic submission of ``children`` children
    (with ``all_tables``, also the OC2, OC3, AD1, placed for adoption and previous permanence files)."""
    data = _children(children, year, seed)
    files = []
    tables = {**CSV_COLUMNS, **(CARE_COLUMNS if all_tables else {})}
    for table, columns in tables.items():
        if table == "sw_episodes" and year < 2024:
            continue
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for child in data:
            writer.writerows(child[table])
        files.append((f"SSDA903_{year}_{table}.csv", buffer.getvalue().encode("utf-8")))
    return files


def _elements(
    row: dict[str, str], skip: tuple[str, ...] = ("CHILD", "DOB"), rename: dict[str, str] | None = None
) -> str:
    rename = rename or {}
    return "".join(
        f"<{rename.get(key, key)}>{escape(value)}</{rename.get(key, key)}>"
        for key, value in row.items()
        if key not in skip and value
    )


def generate_xml(children: int, *, year: int = 2024, seed: int = 0, all_tables: bool = False) -> bytes:
    """The same synthetic submission as one 903 XML document (``PL`` for PLACE, ``CHILDID`` for CHILD)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>']
    for child in _children(children, year, seed):
        header = child["header"][0]
        inner = _elements(header, skip=(), rename={"CHILD": "CHILDID"})
        for row in child["uasc"]:
            inner += f"<DUC>{row['DUC']}</DUC>"
        if all_tables:
            inner += "".join(_elements(row) for row in (*child["oc3"], *child["ad1"]))
            inner += "".join(f"<OC2>{_elements(row)}</OC2>" for row in child["oc2"])
            inner += "".join(f"<PERMANENCE>{_elements(row)}</PERMANENCE>" for row in child["previous_permanence"])
            inner += "".join(f"<AD_PLACED>{_elements(row)}</AD_PLACED>" for row in child["placed_for_adoption"])
        inner += "".join(f"<AREVIEW>{_elements(row)}</AREVIEW>" for row in child["reviews"])
        inner += "".join(f"<AMISSING>{_elements(row)}</AMISSING>" for row in child["missing"])
        inner += "".join(f"<SW_EPISODE>{_elements(row)}</SW_EPISODE>" for row in child["sw_episodes"])
        episodes = "".join(
            f"<EPISODE>{_elements(row, skip=('CHILD',), rename={'PLACE': 'PL'})}</EPISODE>" for row in child["episodes"]
        )
        parts.append(f"<CHILD><HEADER>{inner}</HEADER>{episodes}</CHILD>")
    parts.append("</EXPSSDA903>\n")
    return "\n".join(parts).encode("utf-8")
