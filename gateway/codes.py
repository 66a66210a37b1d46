"""Code systems the canonical model uses, and the small fixed mappings between them.

Larger code tables (DfE <-> NHS ethnicity and the like) are data in ``mappings/``.
"""

from __future__ import annotations

from typing import Final

from gateway.model.person import Sex

__all__ = [
    "DFE_ETHNICITY",
    "NHS_ETHNIC_CATEGORY",
    "NHS_NUMBER_SYSTEM",
    "UPN_SYSTEM",
    "census_gender_for_sex",
    "sex_from_census_gender",
]

DFE_ETHNICITY: Final = "https://www.gov.uk/government/publications/dfe-ethnicity-codes"
"""DfE ethnicity codes as used in the CIN census and SSDA903 (``WBRI``, ``MWBC`` ...)."""
NHS_ETHNIC_CATEGORY: Final = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
"""NHS Data Dictionary ethnic category (UK Core), e.g. ``A`` = White British."""
NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
UPN_SYSTEM: Final = "https://www.gov.uk/government/publications/unique-pupil-numbers"

_SEX_FROM_GENDER: Final[dict[str, Sex]] = {"1": "M", "2": "F", "0": "U", "9": "U"}
_GENDER_FROM_SEX: Final[dict[Sex, str]] = {"M": "1", "F": "2", "U": "0"}


def sex_from_census_gender(code: str) -> Sex | None:
    """Map the pre-2025 DfE ``GenderCurrent`` code to canonical sex.

    ``1`` -> M, ``2`` -> F, ``0`` (not recorded or unborn) -> U, ``9`` (indeterminate) -> U.
    Any other code gives ``None`` so the caller reports it as an issue (never a silent default).
    """
    return _SEX_FROM_GENDER.get(code.strip())


def census_gender_for_sex(sex: Sex) -> str:
    """Map canonical sex back to a pre-2025 ``GenderCurrent`` code. Lossy: U becomes ``0`` (not recorded)."""
    return _GENDER_FROM_SEX[sex]
