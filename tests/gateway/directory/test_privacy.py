"""Privacy properties of the directory, under Hypothesis, on SQLite and PostgreSQL.

* no case or CAF value ever reaches the directory's tables, its audit log or its answers;
* a shielded child's (and its carers') address and contacts appear in no response, error body or log
  line — only a break glass shows them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gateway import Address, ChildRecord, ContactDetail
from gateway.directory import DirectoryQuery, DirectoryStore
from gateway.http.app import build_app
from gateway.http.dependencies import authenticated_caller
from gateway.logs import JsonFormatter
from gateway.storage import Database
from gateway.storage.tables import audit_log, metadata
from tests.gateway.store_data import BREAK_GLASS, CASE, READER, full_records, upsert_event

CASE_DATE = re.compile(r"190[0-9]-[0-9]{2}-[0-9]{2}")
DIRECTORY_TABLES = [table for table in metadata.sorted_tables if table.name.startswith("directory_")]


def _rows(database: Database, child_id: str, after_seq: int) -> str:
    """Every directory row about the child, and the audit entries written since ``after_seq``."""
    dumped: list[Any] = []
    with database.engine.connect() as conn:
        for table in DIRECTORY_TABLES:
            key = table.c.child_id if "child_id" in table.c else table.c.subject
            dumped.extend(dict(row) for row in conn.execute(select(table).where(key == child_id)).mappings())
        dumped.extend(
            dict(row) for row in conn.execute(select(audit_log).where(audit_log.c.seq > after_seq)).mappings()
        )
    return orjson.dumps(dumped, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def test_no_case_or_caf_value_reaches_the_directory(database: Database) -> None:
    store = DirectoryStore(database)

    @settings(max_examples=25, deadline=None)
    @given(record=full_records())
    def check(record: ChildRecord) -> None:
        child_id = record.child.child_id
        assert child_id is not None
        after_seq = store.audit.checkpoint(database.engine).seq
        assert store.apply(upsert_event(record)).outcome == "applied"
        name = record.child.names[0]
        assert name.family is not None
        answers = [
            store.search(DirectoryQuery(family_name=name.family, given_name=name.given[0]), READER, "safeguarding"),
            store.search(
                DirectoryQuery(family_name=name.family, birth_date=record.child.birth_date), READER, "safeguarding"
            ),
            store.entry(child_id, READER, "safeguarding"),
            store.involvements(child_id, READER, "safeguarding"),
        ]
        text = _rows(database, child_id, after_seq) + orjson.dumps(answers, default=_json).decode()
        assert name.family in text  # the dump does contain the child's data ...
        assert CASE not in text  # ... but no case or CAF value,
        assert CASE_DATE.search(text) is None  # and no case date.

    check()


def _json(value: Any) -> Any:
    return value.model_dump(mode="json")


# --- shielding ------------------------------------------------------------------------------------------------

_hidden = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=8).map(lambda text: f"HIDE-{text}")
_postcode = st.tuples(st.integers(10, 99), st.integers(0, 9)).map(lambda parts: f"ZH{parts[0]} {parts[1]}HH")


@st.composite
def shielded_records(draw: st.DrawFn) -> tuple[ChildRecord, list[str]]:
    """A shielded child whose and whose carers' addresses and contacts are marked ``HIDE-``/``ZH..``."""
    record = draw(full_records(shielded=True))
    postcode = draw(_postcode)
    child_address = Address(lines=(draw(_hidden),), town=draw(_hidden), postcode=postcode)
    carers = []
    for carer in record.carers:
        carers.append(
            carer.model_copy(
                update={
                    "contacts": (ContactDetail(system="phone", value=draw(_hidden)),),
                    "addresses": (Address(lines=(draw(_hidden),), postcode=draw(_postcode)),),
                }
            )
        )
    record = record.model_copy(
        update={"child": record.child.model_copy(update={"addresses": (child_address,)}), "carers": tuple(carers)}
    )
    secrets = [postcode, postcode.replace(" ", ""), *child_address.lines, child_address.town or ""]
    for carer in carers:
        secrets.extend(contact.value for contact in carer.contacts)
        for address in carer.addresses:
            secrets.extend([*address.lines, address.postcode or "", (address.postcode or "").replace(" ", "")])
    return record, [secret for secret in secrets if secret]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logged() -> Iterator[_Lines]:
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_no_shielded_field_in_any_response_error_body_or_log_line(database: Database, logged: _Lines) -> None:
    app: FastAPI = build_app(database=database)
    with TestClient(app) as client:

        @settings(max_examples=20, deadline=None)
        @given(case=shielded_records())
        def check(case: tuple[ChildRecord, list[str]]) -> None:
            record, secrets = case
            child_id = record.child.child_id
            name = record.child.names[0]
            app.state.directory_store.apply(upsert_event(record))
            app.dependency_overrides[authenticated_caller] = lambda: READER
            postcode = secrets[0]
            born = {"birth_date": str(record.child.birth_date), "purpose": "safeguarding"}
            responses = [
                client.post("/v1/directory/searches", json={"family_name": name.family, **born}),
                client.post("/v1/directory/searches", json={"postcode": postcode, **born}),
                client.post("/v1/directory/searches", json={"family_name": name.family, "postcode": postcode, **born}),
                client.get(f"/v1/directory/children/{child_id}", params={"purpose": "safeguarding"}),
                client.get(f"/v1/directory/children/{child_id}/involvements", params={"purpose": "safeguarding"}),
                # errors that carry hidden values in the request
                client.post("/v1/directory/searches", json={"given_name": secrets[2], "purpose": "safeguarding"}),
                client.post("/v1/directory/searches", json={"postcode": postcode * 3, "purpose": secrets[2]}),
                client.post("/v1/directory/searches", json={"upn": postcode, secrets[2]: 1, "purpose": "audit"}),
                client.post(f"/v1/directory/children/{child_id}/break-glass", json={"reason": f"see {secrets[2]}"}),
            ]
            miss = client.post("/v1/directory/searches", json={"postcode": "ZZ9 9ZZ", **born})
            assert responses[1].content == responses[2].content == miss.content
            assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 422, 422, 422, 403]
            seen = "\n".join(r.text for r in responses) + "\n".join(logged.lines)
            for secret in secrets:
                assert secret not in seen
            # Positive control: the hidden values are held, and break glass shows them.
            app.dependency_overrides[authenticated_caller] = lambda: BREAK_GLASS
            lifted = client.post(
                f"/v1/directory/children/{child_id}/break-glass", json={"reason": "urgent police request"}
            )
            assert lifted.status_code == 200 and postcode in lifted.text
            for secret in secrets:
                assert secret not in "\n".join(logged.lines)

        check()
