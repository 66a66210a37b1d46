"""The identity projection of a child record: only what duplicate matching reads.

:class:`IdentityRecord` is small, frozen and hashable, holds no case information, and round-trips through
plain JSON (:func:`identity_to_dict` / :func:`identity_from_dict`) so that the SQL index can keep it beside
the directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from gateway.identifiers import normalise_nhs_number, normalise_postcode
from gateway.model import ChildRecord

__all__ = [
    "IdentityAddress",
    "IdentityName",
    "IdentityRecord",
    "identity_from_child_record",
    "identity_from_dict",
    "identity_to_dict",
]


@dataclass(frozen=True, slots=True)
class IdentityName:
    """One name of the child: given names in order and the family name; ``former`` for earlier names."""

    given: tuple[str, ...] = ()
    family: str | None = None
    former: bool = False


@dataclass(frozen=True, slots=True)
class IdentityAddress:
    """An address reduced to its first line and postcode (postcode normalised, ``SW1A 1AA``)."""

    line: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """Who a record says the child is. ``record_id`` is the caller's id for the record (unique per index)."""

    record_id: str
    names: tuple[IdentityName, ...] = ()
    birth_date: date | None = None
    sex: Literal["M", "F", "U"] | None = None
    addresses: tuple[IdentityAddress, ...] = ()
    """Current address first, then earlier ones."""
    nhs_number: str | None = None
    upns: tuple[str, ...] = ()
    """Current UPN first, then former UPNs."""
    local_ids: tuple[str, ...] = ()
    """``<LA number>:<LA child id>``, e.g. ``201:AB123``."""
    carer_names: tuple[IdentityName, ...] = ()
    source: str | None = None
    """Where the record came from (file name or supplier), for reports only; never compared."""

    @property
    def has_identifier(self) -> bool:
        """True when the record carries an NHS number, a UPN or a local id."""
        return bool(self.nhs_number or self.upns or self.local_ids)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def identity_from_child_record(record: ChildRecord, record_id: str, *, source: str | None = None) -> IdentityRecord:
    """Project a canonical record onto what matching reads (no case information is kept)."""
    child = record.child
    names = tuple(
        IdentityName(
            given=tuple(g for g in (_clean(x) for x in name.given) if g),
            family=_clean(name.family),
            former=name.use == "former",
        )
        for name in sorted(child.names, key=lambda n: (n.use == "former", n.use != "usual"))
        if name.given or name.family
    )
    addresses = tuple(
        IdentityAddress(
            line=_clean(address.lines[0]) if address.lines else None,
            postcode=normalise_postcode(address.postcode) if address.postcode and address.postcode.strip() else None,
        )
        for address in sorted(child.addresses, key=lambda a: (a.end is not None, a.use == "previous"))
        if address.lines or _clean(address.postcode)
    )
    upns = tuple(u for u in (_clean(x) for x in (child.upn, *child.former_upns)) if u)
    nhs = _clean(child.nhs_number)
    carers = tuple(
        IdentityName(given=tuple(carer.names[0].given), family=_clean(carer.names[0].family))
        for carer in record.carers
        if carer.names and (carer.names[0].given or carer.names[0].family)
    )
    return IdentityRecord(
        record_id=record_id,
        names=names,
        birth_date=child.birth_date,
        sex=child.sex,
        addresses=addresses,
        nhs_number=normalise_nhs_number(nhs) if nhs else None,
        upns=tuple(u.upper() for u in upns),
        local_ids=tuple(f"{local.la_code}:{local.la_child_id.strip().upper()}" for local in child.local_ids),
        carer_names=carers,
        source=source,
    )


def _name_to_dict(name: IdentityName) -> dict[str, Any]:
    data: dict[str, Any] = {"given": list(name.given), "family": name.family}
    if name.former:
        data["former"] = True
    return data


def _name_from_dict(data: Mapping[str, Any]) -> IdentityName:
    return IdentityName(given=tuple(data.get("given", ())), family=data.get("family"), former=data.get("former", False))


def identity_to_dict(record: IdentityRecord) -> dict[str, Any]:
    """Plain JSON-ready form (dates as ISO strings)."""
    return {
        "record_id": record.record_id,
        "names": [_name_to_dict(n) for n in record.names],
        "birth_date": record.birth_date.isoformat() if record.birth_date else None,
        "sex": record.sex,
        "addresses": [{"line": a.line, "postcode": a.postcode} for a in record.addresses],
        "nhs_number": record.nhs_number,
        "upns": list(record.upns),
        "local_ids": list(record.local_ids),
        "carer_names": [_name_to_dict(n) for n in record.carer_names],
        "source": record.source,
    }


def identity_from_dict(data: Mapping[str, Any]) -> IdentityRecord:
    """Inverse of :func:`identity_to_dict`."""
    birth = data.get("birth_date")
    return IdentityRecord(
        record_id=data["record_id"],
        names=tuple(_name_from_dict(n) for n in data.get("names", ())),
        birth_date=date.fromisoformat(birth) if birth else None,
        sex=data.get("sex"),
        addresses=tuple(
            IdentityAddress(line=a.get("line"), postcode=a.get("postcode")) for a in data.get("addresses", ())
        ),
        nhs_number=data.get("nhs_number"),
        upns=tuple(data.get("upns", ())),
        local_ids=tuple(data.get("local_ids", ())),
        carer_names=tuple(_name_from_dict(n) for n in data.get("carer_names", ())),
        source=data.get("source"),
    )
