"""Directory entries to rows and back. Every JSON column holds one named value type, validated both ways."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from pydantic import TypeAdapter
from sqlalchemy import Connection, String, Table, bindparam, delete, insert, select, update

from gateway.directory.names import index_keys
from gateway.identifiers import normalise_nhs_number
from gateway.inbox import in_lists
from gateway.model import Address, ContactDetail, LocalId, Organisation, PersonName, Practitioner
from gateway.storage.tables import (
    directory_carers,
    directory_children,
    directory_involvements,
    directory_local_ids,
    directory_name_keys,
    directory_views,
    directory_withheld,
)
from gateway.views import (
    CafIndicator,
    DirectoryCarer,
    DirectoryEntry,
    DirectoryInvolvement,
    DirectoryUpdate,
    WithheldDetails,
)

__all__ = [
    "CHILD_TABLES",
    "EntryRows",
    "TooLong",
    "delete_child",
    "delete_children",
    "entry_rows",
    "involvement_row",
    "load_entry",
    "load_involvements",
    "load_withheld",
    "postcode_key",
    "to_involvement",
    "write_entries",
]

CHILD_TABLES: Final = (
    directory_name_keys,
    directory_local_ids,
    directory_carers,
    directory_involvements,
    directory_withheld,
)
"""The tables that hang off ``directory_children`` (deleted before it on purge)."""

_NAMES = TypeAdapter(tuple[PersonName, ...])
_CONTACTS = TypeAdapter(tuple[ContactDetail, ...])


class TooLong(ValueError):
    """A value is longer than its column allows; the event is rejected (the message names the column only)."""


def _limits(table: Table) -> dict[str, int]:
    return {
        column.name: column.type.length
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


_LIMITS: Final = {
    table.name: _limits(table)
    for table in (directory_children, directory_local_ids, directory_carers, directory_involvements)
}
"""Each table's bounded text columns and their lengths (looked up once, checked for every row)."""


def _checked(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    limits = _LIMITS[table.name]
    for name, value in row.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            raise TooLong(f"{table.name}.{name} is longer than {limit} characters")
    return dict(row)


def _json(model: Any) -> Any:
    return None if model is None else model.model_dump(mode="json", exclude_defaults=True)


def postcode_key(postcode: str | None) -> str | None:
    """The searchable form of a postcode: upper case without spaces (``sw1a 1aa`` -> ``SW1A1AA``)."""
    if not postcode:
        return None
    compact = "".join(postcode.split()).upper()
    return compact[:10] or None


def _child_row(update: DirectoryUpdate, la_code: str, at: datetime) -> dict[str, Any]:
    entry = update.entry
    archived = at if update.retain_until is not None and update.retain_until <= at.date() else None
    return {
        "child_id": entry.child_id,
        "la_code": la_code,
        "nhs_number": normalise_nhs_number(entry.nhs_number) if entry.nhs_number else None,
        "upn": entry.upn.strip().upper() if entry.upn else None,
        "names": [_json(name) for name in entry.names],
        "birth_date": entry.birth_date,
        "sex": entry.sex,
        "address": _json(entry.address),
        "address_status": entry.address_status,
        "postcode_key": postcode_key(entry.address.postcode) if entry.address is not None else None,
        "shielded": entry.shielded,
        "education_setting": _json(entry.education_setting),
        "gp_practice": _json(entry.gp_practice),
        "caf_indicator": _json(entry.caf),
        "retain_until": update.retain_until,
        "archived_at": archived,
        "updated_at": at,
    }


def involvement_row(child_id: str, involvement: DirectoryInvolvement) -> dict[str, Any]:
    """The ``directory_involvements`` row of one involvement."""
    organisation = involvement.organisation or (
        involvement.practitioner.organisation if involvement.practitioner is not None else None
    )
    code = organisation.code if organisation is not None else None
    return _checked(
        directory_involvements,
        {
            "child_id": child_id,
            "involvement_id": involvement.involvement_id,
            "recorded_by": involvement.recorded_by,
            "service_type": involvement.service_type,
            "organisation": _json(involvement.organisation),
            "organisation_code": code if code is not None and len(code) <= 32 else None,
            "practitioner": _json(involvement.practitioner),
            "role": involvement.role,
            "start_date": involvement.start,
            "end_date": involvement.end,
            "lead_professional": involvement.lead_professional,
            "sensitive_category": involvement.sensitive_category,
            "shared_on": involvement.shared_on,
        },
    )


def _unique_ids(involvements: Sequence[DirectoryInvolvement]) -> list[DirectoryInvolvement]:
    seen: set[str] = set()
    unique = []
    for position, involvement in enumerate(involvements):
        kept = involvement
        if involvement.involvement_id in seen:
            kept = involvement.model_copy(update={"involvement_id": f"{involvement.involvement_id}#{position}"})
        seen.add(kept.involvement_id)
        unique.append(kept)
    return unique


def delete_children(
    connection: Connection, child_ids: Collection[str], *, keep_practitioner_records: bool = False
) -> None:
    """Delete the children's rows (a few statements, whatever their number), their suppliers' views included.
    ``keep_practitioner_records`` keeps the child rows, the views and practitioner-recorded involvements (an
    upsert replaces only what the supplier sent)."""
    for chunk in in_lists(child_ids):
        for table in CHILD_TABLES:
            statement = delete(table).where(table.c.child_id.in_(chunk))
            if keep_practitioner_records and table is directory_involvements:
                statement = statement.where(directory_involvements.c.recorded_by == "supplier")
            connection.execute(statement)
        if not keep_practitioner_records:
            connection.execute(delete(directory_children).where(directory_children.c.child_id.in_(chunk)))
            connection.execute(delete(directory_views).where(directory_views.c.child_id.in_(chunk)))


def delete_child(connection: Connection, child_id: str, *, keep_practitioner_records: bool = False) -> None:
    """Delete one child's rows (see :func:`delete_children`)."""
    delete_children(connection, [child_id], keep_practitioner_records=keep_practitioner_records)


@dataclass(frozen=True)
class EntryRows:
    """The rows of one :class:`DirectoryUpdate`, each checked against its columns."""

    child: dict[str, Any]
    local_ids: list[dict[str, Any]]
    carers: list[dict[str, Any]]
    involvements: list[dict[str, Any]]
    name_keys: list[dict[str, Any]]
    withheld: dict[str, Any] | None

    @property
    def child_id(self) -> str:
        return str(self.child["child_id"])


def entry_rows(update_: DirectoryUpdate, *, la_code: str, at: datetime) -> EntryRows:
    """The rows to write for ``update_``; raises :class:`TooLong` when a value does not fit its column."""
    entry = update_.entry
    child_id = entry.child_id
    return EntryRows(
        child=_checked(directory_children, _child_row(update_, la_code, at)),
        local_ids=[
            _checked(
                directory_local_ids, {"child_id": child_id, "la_code": item.la_code, "la_child_id": item.la_child_id}
            )
            for item in dict.fromkeys(entry.local_ids)
        ],
        carers=[
            _checked(
                directory_carers,
                {
                    "child_id": child_id,
                    "position": position,
                    "carer_id": carer.carer_id,
                    "names": [_json(name) for name in carer.names],
                    "relationship": carer.relationship,
                    "parental_responsibility": carer.parental_responsibility,
                    "contacts": [_json(contact) for contact in carer.contacts],
                    "address": _json(carer.address),
                },
            )
            for position, carer in enumerate(entry.carers)
        ],
        involvements=[involvement_row(child_id, item) for item in _unique_ids(entry.involvements)],
        name_keys=[{"key": key, "child_id": child_id} for key in sorted(index_keys(entry.names))],
        withheld=(
            None if update_.withheld is None else {"child_id": child_id, "details": _json(update_.withheld) or {}}
        ),
    )


def write_entries(connection: Connection, entries: Sequence[EntryRows], *, existing: Collection[str]) -> None:
    """Write ``entries`` in a constant number of statements: the child rows in ``existing`` are updated, the
    others inserted, and every child table gets one multi-row insert.

    The supplier's earlier rows of the ``existing`` children must have been deleted first
    (:func:`delete_children` with ``keep_practitioner_records``); an involvement whose id a practitioner's
    own record holds is not written over it.
    """
    ordered = sorted(entries, key=lambda rows: rows.child_id)
    updates = [{**rows.child, "b_child_id": rows.child_id} for rows in ordered if rows.child_id in existing]
    inserts = [rows.child for rows in ordered if rows.child_id not in existing]
    if updates:
        columns = {
            name: bindparam(name, type_=directory_children.c[name].type)
            for name in updates[0]
            if name not in ("child_id", "b_child_id")
        }
        statement = update(directory_children).where(directory_children.c.child_id == bindparam("b_child_id"))
        connection.execute(statement.values(columns), updates)
    if inserts:
        connection.execute(insert(directory_children), inserts)
    kept: set[tuple[str, str]] = set()
    for chunk in in_lists(rows.child_id for rows in ordered if rows.child_id in existing):
        found = connection.execute(
            select(directory_involvements.c.child_id, directory_involvements.c.involvement_id).where(
                directory_involvements.c.child_id.in_(chunk)
            )
        )
        kept.update((child_id, involvement_id) for child_id, involvement_id in found)
    for table, values in (
        (directory_local_ids, [row for rows in ordered for row in rows.local_ids]),
        (directory_carers, [row for rows in ordered for row in rows.carers]),
        (
            directory_involvements,
            [
                row
                for rows in ordered
                for row in rows.involvements
                if (row["child_id"], row["involvement_id"]) not in kept
            ],
        ),
        (directory_name_keys, [row for rows in ordered for row in rows.name_keys]),
        (directory_withheld, [rows.withheld for rows in ordered if rows.withheld is not None]),
    ):
        if values:
            connection.execute(insert(table), values)


def to_involvement(row: Mapping[Any, Any]) -> DirectoryInvolvement:
    """A ``directory_involvements`` row as a :class:`DirectoryInvolvement`."""
    return DirectoryInvolvement(
        involvement_id=row["involvement_id"],
        service_type=row["service_type"],
        organisation=Organisation.model_validate(row["organisation"]) if row["organisation"] is not None else None,
        practitioner=Practitioner.model_validate(row["practitioner"]) if row["practitioner"] is not None else None,
        role=row["role"],
        start=row["start_date"],
        end=row["end_date"],
        lead_professional=row["lead_professional"],
        sensitive_category=row["sensitive_category"],
        shared_on=row["shared_on"],
        recorded_by=row["recorded_by"],
    )


def load_involvements(connection: Connection, child_id: str) -> tuple[DirectoryInvolvement, ...]:
    """Everyone working (or who worked) with the child, earliest start first."""
    rows = connection.execute(
        select(directory_involvements).where(directory_involvements.c.child_id == child_id)
    ).mappings()
    found = [to_involvement(row) for row in rows]
    return tuple(sorted(found, key=lambda item: (item.start or date.min, item.involvement_id)))


def load_entry(connection: Connection, child_id: str, *, archived: bool = False) -> DirectoryEntry | None:
    """The stored entry (``None`` when absent, or archived unless ``archived``)."""
    row = (
        connection.execute(select(directory_children).where(directory_children.c.child_id == child_id))
        .mappings()
        .first()
    )
    if row is None or (row["archived_at"] is not None and not archived):
        return None
    local_ids = connection.execute(
        select(directory_local_ids.c.la_code, directory_local_ids.c.la_child_id)
        .where(directory_local_ids.c.child_id == child_id)
        .order_by(directory_local_ids.c.la_code, directory_local_ids.c.la_child_id)
    ).all()
    carers = connection.execute(
        select(directory_carers).where(directory_carers.c.child_id == child_id).order_by(directory_carers.c.position)
    ).mappings()
    return DirectoryEntry(
        child_id=row["child_id"],
        local_ids=tuple(LocalId(la_code=code, la_child_id=local) for code, local in local_ids),
        nhs_number=row["nhs_number"],
        upn=row["upn"],
        names=_NAMES.validate_python(row["names"]),
        birth_date=row["birth_date"],
        sex=row["sex"],
        address=Address.model_validate(row["address"]) if row["address"] is not None else None,
        address_status=row["address_status"],
        shielded=row["shielded"],
        carers=tuple(
            DirectoryCarer(
                carer_id=carer["carer_id"],
                names=_NAMES.validate_python(carer["names"]),
                relationship=carer["relationship"],
                parental_responsibility=carer["parental_responsibility"],
                contacts=_CONTACTS.validate_python(carer["contacts"]),
                address=Address.model_validate(carer["address"]) if carer["address"] is not None else None,
            )
            for carer in carers
        ),
        education_setting=_organisation(row["education_setting"]),
        gp_practice=_organisation(row["gp_practice"]),
        involvements=load_involvements(connection, child_id),
        caf=CafIndicator.model_validate(row["caf_indicator"]) if row["caf_indicator"] is not None else None,
    )


def _organisation(value: Any) -> Organisation | None:
    return Organisation.model_validate(value) if value is not None else None


def load_withheld(connection: Connection, child_id: str) -> WithheldDetails | None:
    """A shielded child's withheld address and contacts (for an audited break glass only)."""
    details = connection.execute(
        select(directory_withheld.c.details).where(directory_withheld.c.child_id == child_id)
    ).scalar_one_or_none()
    return WithheldDetails.model_validate(details) if details is not None else None
