"""The adapters' hostile-input corpus sent through the API (``POST /v1/messages`` and ``POST /v1/$validate``).

Every attack must be refused: a 4xx with a non-empty ``error``, or — where the format can carry the problem as
an issue — a message *rejected* (or an OperationOutcome) whose issue names the reader rule, with the expected
severity (a CSV formula cell is read as text and flagged with a warning). Nothing may leak or be fetched:

* no file read: the canary file, the canary DTD and the canary HTTP server all hold :data:`MARKER`, which
  must appear in no response and no log line (captured at DEBUG for every logger, and through the
  gateway's JSON formatter);
* no outbound connection: Python-level ``connect``/``create_connection`` are recorded and refused, and the
  canary HTTP server (which libxml2 would reach from C, below any Python guard) must see no request;
* bounded memory: the Python heap's peak per request (``tracemalloc``) stays under a generous, size-based
  bound. Nothing is timed; each answer coming back at all is what shows the readers' own limits worked.

The body limits are raised for the corpus (so the readers' limits, not the 413, are what is exercised) and
asynchronous acceptance is off (so each answer is the outcome); one test keeps the default limits.
"""

from __future__ import annotations

import http.server
import io
import logging
import socket
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Final

import httpx2
import pytest

from gateway.logs import JsonFormatter
from tests.gateway.http.conftest import Api
from tests.gateway.http.hostile_corpus import MARKER, Hostile, Targets, corpus

MESSAGES: Final = "/v1/messages"
VALIDATE: Final = "/v1/$validate"

HEAP_BASE: Final = 64 * 1024 * 1024
HEAP_PER_BODY_BYTE: Final = 3
"""Python-heap peak allowed per request: 64 MiB plus three times the body (measured: at most about 1.2 times
the body plus 12 MiB, and 31 MiB for the first XML request, which loads the schemas). A reader that
materialised an entity expansion or a 100 000-deep tree in Python would pass it by far."""


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        body = f'<!ENTITY leak "{MARKER}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def targets(tmp_path: Path) -> Iterator[Targets]:
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER, encoding="utf-8")
    dtd = tmp_path / "leak.dtd"
    dtd.write_text(f'<!ENTITY leak "{MARKER}">', encoding="utf-8")
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Targets(secret=secret, dtd=dtd, server=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def outbound(monkeypatch: pytest.MonkeyPatch, targets: Targets) -> list[object]:
    """Python-level connection attempts, recorded and refused (started after the canary server listens)."""
    attempts: list[object] = []

    def refuse(_self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("outbound connections are not allowed while reading a submission")

    def refuse_create(address: object, *_args: object, **_kwargs: object) -> socket.socket:
        attempts.append(address)
        raise OSError("outbound connections are not allowed while reading a submission")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """Everything logged, at DEBUG for every logger: caplog's lines, every record's attributes (``extra``
    included) and the gateway's JSON lines."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)

    def captured() -> str:
        records = "\n".join(repr(vars(record)) for record in caplog.records)
        return "\n".join((caplog.text, records, stream.getvalue()))

    try:
        yield captured
    finally:
        root.removeHandler(handler)


def _issues(path: str, body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(rule, severity, message) of each issue in a submission answer or an OperationOutcome."""
    if path == MESSAGES:
        return [(issue["rule"], issue["severity"], issue["message"]) for issue in body["issues"]]
    return [
        (entry["details"]["coding"][0]["code"], entry["severity"], entry["details"]["text"])
        for entry in body["issue"]
        if "details" in entry
    ]


def _verdict(hostile: Hostile, path: str, response: httpx2.Response) -> str | None:
    """``None`` when the answer refuses the attack properly, else what is wrong with it."""
    text = response.text
    if MARKER in text:
        return "the canary's content is in the answer"
    for fragment in hostile.echo:
        if fragment in text:
            return f"the answer repeats the payload ({fragment[:12]!r}...)"
    status = response.status_code
    body = response.json()
    if 400 <= status < 500:
        error = body.get("error")
        if not (isinstance(error, str) and error.strip()):
            return f"{status} without an error message"
        if path != MESSAGES or "outcome" not in body:
            return None  # refused before it was read (413, 415, 403 ...)
    elif (path, status) not in ((MESSAGES, 201), (VALIDATE, 200)):
        return f"answered {status}: {text[:300]}"
    if path == MESSAGES and hostile.severity == "error" and body["outcome"] != "rejected":
        return "accepted"
    issues = _issues(path, body)
    if any(not message.strip() for _rule, _severity, message in issues):
        return "an issue without a message"
    if hostile.rule is None:
        named = any(rule.startswith("read/") and severity == "error" for rule, severity, _ in issues)
    else:
        named = (hostile.rule, hostile.severity) in {(rule, severity) for rule, severity, _ in issues}
    return None if named else f"no {hostile.severity} {hostile.rule or 'read/*'} issue: {sorted(issues)[:6]}"


def _send(api: Api, hostile: Hostile, path: str, headers: dict[str, str]) -> tuple[httpx2.Response, int]:
    query = {"format": hostile.format_id} if hostile.format_id else {}
    tracemalloc.reset_peak()
    response = api.http.post(
        path, params=query, content=hostile.body, headers={"Content-Type": hostile.content_type, **headers}
    )
    return response, tracemalloc.get_traced_memory()[1]


FAMILIES: Final = {
    "xml": lambda name: name.split("/")[0] in {"cin-census-xml", "ics-xml", "ssda903-csv"},
    "json": lambda name: name.split("/")[0] in {"fhir-r4-json", "dfe-csc-api-json", "canonical-jsonl"},
    "csv": lambda name: name.split("/")[0] in {"person-csv", "unknown"},
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_hostile_corpus_is_refused_through_the_api(
    make_api: Callable[..., Api],
    targets: Targets,
    outbound: list[object],
    logs: Callable[[], str],
    family: str,
) -> None:
    api = make_api(
        http_max_body_bytes=64_000_000,
        http_async_threshold_bytes=64_000_000,
        http_rate_limit=1e9,
        http_rate_burst=1_000_000_000,
    )
    attacks = [hostile for hostile in corpus(targets) if FAMILIES[family](hostile.name)]
    assert len(attacks) >= 5
    headers = api.key("acme")  # LA 201, submit + validate
    wrong: list[str] = []
    tracemalloc.start()
    try:
        for hostile in attacks:
            for path in (MESSAGES, VALIDATE):
                response, peak = _send(api, hostile, path, headers)
                problem = _verdict(hostile, path, response)
                if problem is not None:
                    wrong.append(f"{hostile.name} via {path}: {problem}")
                bound = HEAP_BASE + HEAP_PER_BODY_BYTE * len(hostile.body)
                if peak > bound:
                    wrong.append(f"{hostile.name} via {path}: Python heap peak {peak} bytes over {bound}")
    finally:
        tracemalloc.stop()
    assert not wrong, "\n".join(wrong)
    assert _Canary.hits == [], "the canary HTTP server was fetched from"
    assert outbound == [], "an outbound connection was attempted"
    assert MARKER not in logs(), "the canary's content reached the logs"


def test_the_checks_see_a_leak_and_an_echo(targets: Targets) -> None:
    """The verdict fails an answer that carries the canary or repeats the payload, or accepts an attack."""
    attack = Hostile("x/xxe", b"<x/>", "application/xml", None, "read/unsafe-xml", echo=("lollollol",))
    request = httpx2.Request("POST", "http://testserver/v1/messages")
    leak = httpx2.Response(422, json={"error": f"cannot read {MARKER}"}, request=request)
    echo = httpx2.Response(422, json={"error": "bad value lollollollol"}, request=request)
    accepted = httpx2.Response(201, json={"outcome": "accepted", "issues": []}, request=request)
    unnamed = httpx2.Response(422, json={"error": "rejected", "outcome": "rejected", "issues": []}, request=request)
    refused = httpx2.Response(422, json={"error": "the XML declares entities, which are never read"}, request=request)
    assert _verdict(attack, MESSAGES, leak) == "the canary's content is in the answer"
    assert _verdict(attack, MESSAGES, echo) is not None
    assert _verdict(attack, MESSAGES, accepted) == "accepted"
    assert _verdict(attack, MESSAGES, unnamed) is not None
    assert _verdict(attack, MESSAGES, refused) is None


def test_a_20_mb_body_is_refused_before_it_is_read_with_the_default_limits(
    make_api: Callable[..., Api], targets: Targets, outbound: list[object]
) -> None:
    api = make_api()
    (node,) = [hostile for hostile in corpus(targets) if hostile.name == "cin-census-xml/20-mb-text-node"]
    for path in (MESSAGES, VALIDATE):
        response = api.http.post(
            path, content=node.body, headers={"Content-Type": node.content_type, **api.key("acme")}
        )
        assert response.status_code == 413, response.text[:200]
        assert "larger than" in response.json()["error"]
    assert outbound == []


def test_hostile_multipart_submissions_are_refused_or_defused(make_api: Callable[..., Api], targets: Targets) -> None:
    """Too many parts is refused (4xx with a message); a part named like a path is reduced to its base name,
    so an issue never locates a file outside the submission (and no file by that path is read)."""
    api = make_api()
    headers = api.key("acme")
    many = [("files", (f"part-{i}.csv", b"la_code,la_child_id\n201,A\n", "text/csv")) for i in range(25)]
    refused = api.http.post("/v1/messages", params={"format": "person-csv"}, files=many, headers=headers)
    assert 400 <= refused.status_code < 500 and refused.json()["error"]
    traversal = [("files", (f"../../..{targets.secret}", b"la_code,la_child_id\n201,A\n", "text/csv"))]
    answered = api.http.post("/v1/messages", params={"format": "person-csv"}, files=traversal, headers=headers)
    assert answered.status_code in (201, 422), answered.text[:300]  # read (accepted or rejected), not refused
    files = {issue["location"]["file"] for issue in answered.json()["issues"] if issue.get("location")}
    assert files == {targets.secret.name}
    assert MARKER not in answered.text
