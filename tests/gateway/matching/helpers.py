"""Small builders for identity records in matching tests (all values invented)."""

from __future__ import annotations

from datetime import date

from gateway.matching import IdentityAddress, IdentityName, IdentityRecord, Matcher, PreparedRecord

__all__ = ["child", "prepared"]

_MATCHER = Matcher()


def child(
    record_id: str = "a",
    *,
    given: str | tuple[str, ...] = "Oliver",
    family: str | None = "Smith",
    former_family: str | None = None,
    birth: date | None = date(2015, 3, 14),
    sex: str | None = "M",
    line: str | None = "12 Church Road",
    postcode: str | None = "LS6 1AT",
    earlier: tuple[str | None, str | None] | None = None,
    nhs: str | None = None,
    upns: tuple[str, ...] = (),
    local_ids: tuple[str, ...] = (),
    carers: tuple[tuple[str, str], ...] = (),
) -> IdentityRecord:
    givens = (given,) if isinstance(given, str) else given
    names = [IdentityName(givens, family)]
    if former_family:
        names.append(IdentityName(givens, former_family, former=True))
    addresses = []
    if line or postcode:
        addresses.append(IdentityAddress(line, postcode))
    if earlier:
        addresses.append(IdentityAddress(*earlier))
    return IdentityRecord(
        record_id=record_id,
        names=tuple(names),
        birth_date=birth,
        sex=sex,  # type: ignore[arg-type]
        addresses=tuple(addresses),
        nhs_number=nhs,
        upns=upns,
        local_ids=local_ids,
        carer_names=tuple(IdentityName((g,), f) for g, f in carers),
    )


def prepared(record: IdentityRecord) -> PreparedRecord:
    return _MATCHER.prepare(record)
