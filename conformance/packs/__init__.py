"""The gateway's built-in rule packs (one module per rule in each pack's folder).

``ics-1b``
    ICS Phase 1B practice rules, led by "an assessment cannot be completed until the child has been seen".
``ics-1c``
    ICS Phase 1C information sharing (ContactPoint, eCAF); includes ``ics-1b``.
``cin-census-2023-24``, ``cin-census-2024-25``, ``cin-census-2025-26``
    The DfE CIN census validation rules with DfE's own codes and messages, each year a delta over the
    year before (``conformance/data/cin-census/dfe_rules.csv`` is DfE's table).
"""

from __future__ import annotations

from typing import Final

from gateway import RulePack

__all__ = ["CIN_CENSUS_2023_24", "CIN_CENSUS_2024_25", "CIN_CENSUS_2025_26", "ICS_1B", "ICS_1C", "PACKS"]

_DFE_SOURCE: Final = (
    "DfE Children in Need census validation rules (codes and messages as DfE publishes them); rule table "
    "extracted from data-to-insight/csc-validator-be-cin (MIT)"
)

ICS_1B: Final = RulePack(
    id="ics-1b",
    title="ICS Phase 1B practice rules",
    description=(
        "The Integrated Children's System Phase 1B must-haves (due 31 March 2008): an assessment cannot be "
        "completed until the child has been seen; assessment timescales in working days; date ordering; "
        "identifiers; possible duplicate children go to review."
    ),
    package="conformance.packs.ics_1b",
)
ICS_1C: Final = RulePack(
    id="ics-1c",
    title="ICS Phase 1C information sharing (includes ics-1b)",
    description=(
        "Enhanced information sharing between ICS, ContactPoint and eCAF: the directory view holds only the "
        "ContactPoint data set, sensitive services and CAFs are shared only with consent, shielded children's "
        "whereabouts never leave, every child has a national identifier or a reason, references resolve."
    ),
    base="ics-1b",
    package="conformance.packs.ics_1c",
)
CIN_CENSUS_2023_24: Final = RulePack(
    id="cin-census-2023-24",
    title="DfE CIN census 2023 to 2024 validation rules",
    description="Every DfE CIN census rule of the 2023-24 collection (errors and queries, LA-level ones included).",
    package="conformance.packs.cin_census_2023_24",
    parameters={"census_year_end": 2024},
    source=_DFE_SOURCE,
)
CIN_CENSUS_2024_25: Final = RulePack(
    id="cin-census-2024-25",
    title="DfE CIN census 2024 to 2025 validation rules",
    description=(
        "2023-24 plus DfE's 2024-25 changes: added 1570, 1580, 8945Q, 8950Q; changed 2886Q, 4180, 8750 (Sex "
        "M/F/U replaces GenderCurrent) and 8770Q (school age)."
    ),
    base="cin-census-2023-24",
    package="conformance.packs.cin_census_2024_25",
    parameters={"census_year_end": 2025},
    source=_DFE_SOURCE,
)
CIN_CENSUS_2025_26: Final = RulePack(
    id="cin-census-2025-26",
    title="DfE CIN census 2025 to 2026 validation rules",
    description="The 2024-25 rules: DfE published no rule additions, changes or deletions for 2025-26.",
    base="cin-census-2024-25",
    package="conformance.packs.cin_census_2025_26",
    parameters={"census_year_end": 2026},
    source=_DFE_SOURCE,
)

PACKS: Final = (ICS_1B, ICS_1C, CIN_CENSUS_2023_24, CIN_CENSUS_2024_25, CIN_CENSUS_2025_26)
