"""Which profile checks a submission: the one named explicitly, else the default for the submission's format.

A DfE census return is checked against DfE's own rules, not the ICS ones: a CIN census file gets the pack of
the census year its header declares (``<Year>2025</Year>`` -> ``cin-census-2024-25``). The gateway has no DfE
SSDA903 pack, so SSDA903 files get ``ics-1b`` — the Phase 1B practice rules (date order, timescales,
identifiers, possible duplicates) that hold for any looked-after child's record; ``ics-1c``'s
information-sharing rules (directory view, consent to share, CAF) concern ICS exchanges, not a statutory return.
Every other format (ICS XML, FHIR, person CSV, the DfE CSC API) gets the configured default (``ECM_PROFILE``,
``ics-1c`` unless set). A profile named explicitly (``--profile``) applies to every format.

Each choice carries its reason, so reports and the pipeline's logs say which profile applied and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from conformance.catalogue import Catalogue
from conformance.profile import ResolvedProfile, builtin_profile_ids, load_profile
from gateway import SubmissionHeader

__all__ = ["CENSUS_FORMAT", "SSDA903_FORMAT", "SSDA903_PROFILE", "ProfileChoice", "ProfileSelection"]

CENSUS_FORMAT: Final = "cin-census-xml"
SSDA903_FORMAT: Final = "ssda903-csv"
SSDA903_PROFILE: Final = "ics-1b"
"""No DfE SSDA903 pack exists here: the ICS Phase 1B practice rules are the nearest sound default."""
_CENSUS_PREFIX: Final = "cin-census-"


@dataclass(frozen=True)
class ProfileChoice:
    """The profile a submission is checked against, and why (said in reports and logs)."""

    profile: ResolvedProfile
    reason: str

    @property
    def id(self) -> str:
        return self.profile.profile.id


@dataclass
class ProfileSelection:
    """Chooses a profile per submission; profiles are loaded and resolved once each, then reused.

    ``explicit`` is a profile named by the user (``--profile``): it applies to every format. Otherwise
    ``default`` (``ECM_PROFILE``) applies, except to the census formats, which get their DfE pack.
    """

    catalogue: Catalogue
    default: str = "ics-1c"
    explicit: str | None = None
    _resolved: dict[str, ResolvedProfile] = field(default_factory=dict)

    def resolved(self, name: str) -> ResolvedProfile:
        """``name`` (built-in id or path) loaded and resolved against the catalogue, once.

        Raises :class:`~gateway.errors.ConfigurationError` when the profile cannot be used.
        """
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = load_profile(name).resolve(self.catalogue)
        return found

    def choose(self, format_id: str, header: SubmissionHeader | None) -> ProfileChoice:
        """The profile for a submission of ``format_id`` whose reader declared ``header`` (if any)."""
        if self.explicit is not None:
            return ProfileChoice(self.resolved(self.explicit), f"profile {self.explicit} named explicitly")
        if format_id == CENSUS_FORMAT:
            return self._census(header)
        if format_id == SSDA903_FORMAT:
            return ProfileChoice(
                self.resolved(SSDA903_PROFILE),
                f"SSDA903 file: no DfE SSDA903 pack in this gateway, so the ICS Phase 1B practice rules "
                f"({SSDA903_PROFILE})",
            )
        return ProfileChoice(self.resolved(self.default), f"{format_id} file: the default profile {self.default}")

    def _census(self, header: SubmissionHeader | None) -> ProfileChoice:
        packs = sorted(name for name in builtin_profile_ids() if name.startswith(_CENSUS_PREFIX))
        year = header.format_version if header is not None else None
        wanted = f"{_CENSUS_PREFIX}{year}" if year else None
        if wanted is not None and wanted in packs:
            return ProfileChoice(
                self.resolved(wanted), f"CIN census file declaring census year {year} (its header): {wanted}"
            )
        newest = packs[-1]
        declared = f"declaring census year {year}, which has no pack here" if year else "declaring no census year"
        return ProfileChoice(self.resolved(newest), f"CIN census file {declared}: the newest census pack {newest}")
