"""No personal data in the logs of a full run through the API.

Every sample message of ``samples/manifest.yaml`` (every format, the broken files too) is submitted over
HTTP, followed (``GET /v1/messages/{id}?lineage=true``) and validated; the directory and CAF events it routed
are applied as a consumer would, then the stores are searched and read through the API; a foreign council's
submission is refused, a bad search answers 422 and a bad credential 401. Everything is logged at DEBUG for
every logger, captured by caplog and by the gateway's JSON formatter, and every record's attributes (its
``extra`` values and arguments) are kept too.

The values looked for are not hand-picked: they are every name, birth date (ISO and dd/mm/yyyy), NHS number,
UPN, LA child id, postcode, address line and contact in the canonical records the readers produce from the
same files. The client library's own request lines (logger ``httpx2``: the test's side, not the gateway's)
are left out.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final

import orjson
import pytest
import yaml

from gateway import ChildRecord, SourceFile
from gateway.cli.compose import build_registry
from gateway.logs import JsonFormatter
from gateway.pipeline import new_envelope, process
from gateway.settings import load_settings
from tests.gateway.http.conftest import ROOT, Api, register
from tests.gateway.http.stores import apply_routed_events

SAMPLES: Final = ROOT / "samples"
CLIENT_SIDE: Final = frozenset({"httpx", "httpx2"})
"""Loggers of the test's HTTP client (its request lines are the caller's log, not the gateway's)."""

_MEDIA: Final = {
    ".xml": "application/xml",
    ".json": "application/json",
    ".csv": "text/csv",
    ".jsonl": "application/x-ndjson",
}


def _manifest() -> list[dict[str, Any]]:
    with (SAMPLES / "manifest.yaml").open(encoding="utf-8") as stream:
        entries: list[dict[str, Any]] = yaml.safe_load(stream)["messages"]
    return entries


def _files(entry: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(Path(name).name, (SAMPLES / name).read_bytes()) for name in entry["files"]]


def _records(entry: dict[str, Any]) -> list[ChildRecord]:
    """The canonical records the gateway's reader makes of a sample (as the intake reads it)."""
    registry = build_registry(load_settings())
    files = _files(entry)
    envelope = new_envelope(files, supplier_id="s", la_code=entry["la_code"], format_id=entry["format"])
    sources = [SourceFile(name=name, data=data) for name, data in files]
    return list(process(envelope, sources, registry.readers[entry["format"]]).message.records)


_TEXT_KEYS: Final = frozenset(
    {"family", "nhs_number", "upn", "la_child_id", "postcode", "town", "shielding_reason", "value"}
)
_LIST_KEYS: Final = frozenset({"given", "former_upns", "lines"})
_DATE_KEYS: Final = frozenset({"birth_date", "expected_birth_date", "death_date"})


def _walk(node: object, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _TEXT_KEYS and isinstance(value, str):
            found.add(value)
        elif key in _LIST_KEYS and isinstance(value, list):
            found.update(item for item in value if isinstance(item, str))
        elif key in _DATE_KEYS and isinstance(value, str):
            day = date.fromisoformat(value[:10])
            found.update({day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y")})
        else:
            _walk(value, found)


def personal_values(records: list[ChildRecord]) -> set[str]:
    """Every personal value in ``records`` (children and carers), without the lineage; values shorter than
    three characters are left out (they would match anything)."""
    found: set[str] = set()
    for record in records:
        _walk(record.model_dump(mode="json", exclude={"lineage"}), found)
    cleaned = {value.strip() for value in found}
    spaced = {value.replace(" ", "") for value in cleaned if re.fullmatch(r"[A-Z0-9]{2,4} [0-9][A-Z]{2}", value)}
    return {value for value in cleaned | spaced if len(value) >= 3 and "\x00" not in value}


def leaks(text: str, values: set[str]) -> list[str]:
    """The values that occur in ``text`` as whole words (case-sensitive)."""
    return sorted(value for value in values if re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text))


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)

    def text() -> str:
        records = [record for record in caplog.records if record.name.split(".")[0] not in CLIENT_SIDE]
        lines = [caplog.handler.format(record) for record in records]
        lines += [repr(vars(record)) for record in records]
        lines += [line for line in stream.getvalue().splitlines() if '"logger":"httpx' not in line]
        return "\n".join(lines)

    try:
        yield text
    finally:
        root.removeHandler(handler)


def _submit(api: Api, entry: dict[str, Any], headers: dict[str, str]) -> Any:
    files = _files(entry)
    query = {"format": entry["format"], "la_code": entry["la_code"]}
    if len(files) == 1:
        name, data = files[0]
        kind = {"Content-Type": _MEDIA[Path(name).suffix]}
        return api.http.post(
            "/v1/messages", params={**query, "filename": name}, content=data, headers={**headers, **kind}
        )
    parts = [("files", (name, data, _MEDIA[Path(name).suffix])) for name, data in files]
    return api.http.post("/v1/messages", params=query, files=parts, headers=headers)


def _full_flow(api: Api, entries: list[dict[str, Any]]) -> None:
    submitter = api.key("acme")
    for number, entry in enumerate(entries):
        headers = api.bearer("acme") if number % 2 else submitter  # both kinds of credential
        posted = _submit(api, entry, headers)
        assert posted.status_code in (201, 422), (entry["title"], posted.text[:300])  # accepted or rejected
        status = api.http.get(f"{posted.json()['status_url']}?lineage=true", headers=submitter)
        assert status.status_code == 200
        name, data = _files(entry)[0]
        checked = api.http.post(
            "/v1/$validate",
            params={"format": entry["format"], "la_code": entry["la_code"], "filename": name},
            content=data,
            headers={**submitter, "Content-Type": _MEDIA[Path(name).suffix]},
        )
        assert checked.status_code == 200
    entries_read, _cafs = apply_routed_events(api)
    child = next(
        entry
        for entry in entries_read
        if not entry.shielded and entry.names and entry.names[0].family and entry.birth_date
    )

    reader = {**api.key("reader"), "Content-Type": "application/json"}
    names = child.names[0]
    assert child.birth_date is not None and names.family
    criteria = {"family_name": names.family, "birth_date": child.birth_date.isoformat()}
    found = api.http.post(
        "/v1/directory/searches", content=orjson.dumps({**criteria, "purpose": "safeguarding"}), headers=reader
    )
    assert found.status_code == 200 and found.json()["results"], found.text[:300]
    child_id = found.json()["results"][0]["child_id"]
    for path in (f"/v1/directory/children/{child_id}", f"/v1/directory/children/{child_id}/involvements"):
        assert api.http.get(path, params={"purpose": "safeguarding"}, headers=reader).status_code == 200
    by_number = {"nhs_number": child.nhs_number or "9990000018", "purpose": "safeguarding"}
    assert api.http.post("/v1/directory/searches", content=orjson.dumps(by_number), headers=reader).status_code == 200
    caf = api.http.get(
        f"/v1/caf/children/{child_id}/assessments", params={"purpose": "safeguarding"}, headers=api.key("fuzz")
    )
    assert caf.status_code == 200

    bad_date = {**criteria, "birth_date": f"{names.family}-{names.family}", "purpose": "safeguarding"}
    invalid = api.http.post("/v1/directory/searches", content=orjson.dumps(bad_date), headers=reader)
    assert invalid.status_code == 422 and names.family not in invalid.text
    census = next(entry for entry in entries if entry["format"] == "cin-census-xml")
    foreign = _submit(api, {**census, "la_code": "202"}, api.key("beacon"))
    assert foreign.status_code == 403 and foreign.json()["records"]
    unknown = api.http.post("/v1/messages", content=b"x", headers={"Authorization": f"Bearer {names.family}.x.y"})
    assert unknown.status_code == 401


def test_a_full_run_logs_no_personal_data(make_api: Callable[..., Api], captured: Callable[[], str]) -> None:
    api = make_api(http_rate_limit=1e9, http_rate_burst=1_000_000_000)
    parts: dict[str, Any] = {"keys": {}, "signers": {}}
    register(api.clients, parts, "fuzz", ["201"], ["read:caf"])
    api.keys.update(parts["keys"])
    entries = _manifest()
    assert len({entry["format"] for entry in entries}) >= 7
    records = [record for entry in entries for record in _records(entry)]
    values = personal_values(records)
    assert len(values) > 100  # names, dates, identifiers and addresses of every sample child and carer

    _full_flow(api, entries)

    text = captured()
    assert "conformance profile chosen" in text or "authentication refused" in text  # the gateway did log
    assert leaks(text, values) == []


def test_the_scan_finds_a_value_in_any_logged_form(captured: Callable[[], str]) -> None:
    """A value in a message, in an argument or in ``extra`` (which the JSON formatter drops) is found."""
    values = {"Okonkwo", "2015-03-14", "9434765919", "EC1A 1BB"}
    log = logging.getLogger("gateway.leak_check")
    log.info("read %s", "Okonkwo")
    log.debug("checked", extra={"birth": "2015-03-14"})
    log.warning("ids: 9434765919,EC1A 1BB.")
    assert leaks(captured(), values) == ["2015-03-14", "9434765919", "EC1A 1BB", "Okonkwo"]
    assert leaks("Okonkwoson 92015-03-14 EC1A 1BBX", values) == []  # whole words only
