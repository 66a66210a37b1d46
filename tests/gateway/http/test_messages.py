"""POST /v1/messages and GET /v1/messages/{id}: round trip, per-record authorisation, idempotency, async,
audit in the outcome's transaction, and error bodies that never repeat what was sent."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.audit import AuditLog
from gateway.errors import StorageError
from gateway.routing.tables import outbox
from gateway.storage.tables import messages
from tests.gateway.http.conftest import Api, register, sample

JSONL = {"Content-Type": "application/x-ndjson"}
XML = {"Content-Type": "application/xml"}
CHILDREN = sample("samples/canonical/children.jsonl")
CENSUS = sample("samples/cin-census/census-2024-25.xml")
FHIR = {"Content-Type": "application/fhir+json"}
FHIR_CHILD = sample("samples/fhir/child-with-caf.json")
# Personal values of the samples sent here: the canonical children's, then the census children's.
CANONICAL_VALUES = ("Okonkwo", "Amara", "9434765919", "P201000001234", "2015-03-14", "DEMO0001", "EC1A")
SECRETS = (*CANONICAL_VALUES, "H201449390926", "2009-01-10")


def _count(api: Api, table: Any) -> int:
    with api.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _never_echoes(text: str, sent: bytes) -> None:
    present = [secret for secret in SECRETS if secret.encode() in sent]
    assert present, "none of the values looked for was sent: the check could not fail"
    for secret in present:
        assert secret not in text, secret


def test_round_trip_submit_then_follow(api: Api) -> None:
    posted = api.http.post(
        "/v1/messages?message_id=m-fhir-1", content=FHIR_CHILD, headers={**FHIR, **api.bearer("acme")}
    )
    assert posted.status_code == 201, posted.text
    body = posted.json()
    assert body["message_id"] == "m-fhir-1" and body["outcome"] == "accepted" and body["records"] == 1
    assert posted.headers["location"] == body["status_url"] == "/v1/messages/m-fhir-1"
    assert sorted((route["kind"], route["destination"]) for route in body["routed"]) == [
        ("caf.assessment.upsert", "caf.assessment.upsert.201"),
        ("directory.child.upsert", "directory.child.upsert.201"),
    ]
    assert all(issue["severity"] != "error" for issue in body["issues"])

    status = api.http.get("/v1/messages/m-fhir-1?lineage=true", headers=api.key("acme"))
    assert status.status_code == 200
    found = status.json()
    assert (found["status"], found["state"], found["format_id"], found["la_code"]) == (
        "accepted",
        "accepted",
        "fhir-r4-json",
        "201",
    )
    assert [change["state"] for change in found["history"]] == ["received", "processing", "accepted"]
    assert len(found["deliveries"]) == 2 and len(found["lineage"]) == 1
    [lineage] = found["lineage"]
    birth = [source for source in lineage if source["field"] == "/child/birth_date"]
    assert birth and birth[0]["source"]["file"] == "payload.json" and birth[0]["source"]["path"]
    assert "lineage" not in api.http.get("/v1/messages/m-fhir-1", headers=api.key("acme")).json()

    entries = [stored.entry for stored in AuditLog().entries(api.database.engine)]
    submit = [entry for entry in entries if entry.action == "message.submit"]
    assert len(submit) == 1 and submit[0].actor_user == "client:acme" and submit[0].outcome == "accepted"
    assert submit[0].subject == "m-fhir-1" and submit[0].query["records"] == 1
    assert [entry.action for entry in entries].count("message.read") == 2
    assert AuditLog().verify(api.database.engine).ok


def test_a_rejected_message_is_answered_with_located_value_free_issues(api: Api) -> None:
    posted = api.http.post(
        "/v1/messages", content=sample("samples/canonical/broken.jsonl"), headers={**JSONL, **api.key("acme")}
    )
    assert posted.status_code == 422  # a rejection is never mistaken for a delivery
    body = posted.json()
    assert body["outcome"] == "rejected" and body["errors"] > 0
    assert "kept as sent" in body["error"] and posted.headers["Location"] == body["status_url"]
    again = api.http.post(
        f"/v1/messages?message_id={body['message_id']}",
        content=sample("samples/canonical/broken.jsonl"),
        headers={**JSONL, **api.key("acme")},
    )
    assert again.status_code == 422 and again.json()["duplicate"] is True  # a retry gets the same answer
    assert api.http.get(body["status_url"], headers=api.key("acme")).json()["status"] == "rejected"
    assert [route["kind"] for route in body["routed"]] == ["message.rejected"]
    located = [issue for issue in body["issues"] if issue.get("location", {}).get("line")]
    assert located and all(issue["location"]["file"] == "payload.jsonl" for issue in located)


def test_only_the_submitter_or_an_operator_sees_a_message(api: Api) -> None:
    api.http.post("/v1/messages?message_id=m-own", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    assert api.http.get("/v1/messages/m-own", headers=api.key("acme")).status_code == 200
    other = api.http.get("/v1/messages/m-own", headers=api.key("beacon"))
    unknown = api.http.get("/v1/messages/m-unknown", headers=api.key("beacon"))
    assert other.status_code == unknown.status_code == 404 and other.json() == unknown.json()
    assert api.http.get("/v1/messages/m-own", headers=api.key("ops")).status_code == 200
    assert api.http.get("/v1/messages/m-own", headers=api.key("reader")).status_code == 403


def test_another_councils_child_is_refused_and_nothing_is_kept(api: Api) -> None:
    refused = api.http.post("/v1/messages", content=CENSUS, headers={**XML, **api.key("beacon")})
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("3 record(s) belong to a council this client may not submit for")
    assert [record["record"] for record in refused.json()["records"]] == [1, 2, 3]
    _never_echoes(refused.text, CENSUS)
    assert _count(api, messages) == 0 and _count(api, outbox) == 0
    refusal = [s.entry for s in AuditLog().entries(api.database.engine) if s.entry.action == "message.submit"]
    assert [(entry.outcome, entry.actor_user) for entry in refusal] == [("refused", "client:beacon")]


def test_one_foreign_record_refuses_the_whole_batch_and_is_located(api: Api) -> None:
    xml = sample("samples/ics-xml/practice-records.xml").decode()
    second = xml.index("<LACode>201</LACode>", xml.index("<LACode>201</LACode>", xml.index("<Children>")) + 1)
    mixed = (xml[:second] + "<LACode>202</LACode>" + xml[second + len("<LACode>201</LACode>") :]).encode()
    line = xml[:second].count("\n") + 1
    refused = api.http.post("/v1/messages?format=ics-xml", content=mixed, headers={**XML, **api.key("acme")})
    assert refused.status_code == 403
    [record] = refused.json()["records"]
    assert (record["record"], record["file"], record["line"]) == (2, "payload.xml", line)
    assert record["path"].endswith("LACode")
    assert "ICS067" not in refused.text and "9991075968" not in refused.text
    assert _count(api, messages) == 0


def test_a_foreign_record_without_lineage_is_located_by_position(api: Api) -> None:
    lines = CHILDREN.decode().splitlines(keepends=True)
    lines[1] = lines[1].replace('"la_code":"201"', '"la_code":"202"')
    mixed = "".join(lines).encode()
    refused = api.http.post("/v1/messages", content=mixed, headers={**JSONL, **api.key("acme")})
    assert refused.status_code == 403
    assert refused.json()["records"] == [{"record": 2}]
    _never_echoes(refused.text, mixed)
    assert "DEMO0002" not in refused.text and "Baby-of-Test" not in refused.text
    assert _count(api, messages) == 0
    assert (
        api.http.post("/v1/messages?la_code=202", content=mixed, headers={**JSONL, **api.key("acme")}).status_code
        == 403
    )


def test_the_same_message_again_is_harmless_and_a_reused_id_is_refused(api: Api) -> None:
    first = api.http.post("/v1/messages?message_id=m-1", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    again = api.http.post("/v1/messages?message_id=m-1", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    assert (first.status_code, again.status_code) == (422, 422)  # the sample is rejected; a retry answers alike
    assert again.json()["duplicate"] is True and again.json()["outcome"] == first.json()["outcome"]
    other_payload = api.http.post("/v1/messages?message_id=m-1", content=CENSUS, headers={**XML, **api.key("acme")})
    assert other_payload.status_code == 409
    other_client = api.http.post(
        "/v1/messages?message_id=m-1", content=CHILDREN, headers={**JSONL, **api.key("beacon")}
    )
    assert other_client.status_code == 409
    assert _count(api, messages) == 1


def test_formats_by_content_type_parameter_multipart_or_detection(api: Api) -> None:
    fhir = api.http.post(
        "/v1/messages",
        content=sample("samples/fhir/child-with-caf.json"),
        headers={"Content-Type": "application/fhir+json", **api.key("acme")},
    )
    assert fhir.status_code == 201 and fhir.json()["outcome"] == "accepted"
    assert {route["kind"] for route in fhir.json()["routed"]} == {"directory.child.upsert", "caf.assessment.upsert"}
    ics = api.http.post(
        "/v1/messages?format=ics-xml",
        content=sample("samples/ics-xml/practice-records.xml"),
        headers={**XML, **api.key("acme")},
    )
    assert ics.status_code in (201, 422) and ics.json()["records"] > 1
    names = ("header.csv", "episodes.csv", "reviews.csv", "missing.csv", "sw_episodes.csv")
    files = [("files", (name, sample(f"samples/ssda903/{name}"), "text/csv")) for name in names]
    ssda = api.http.post("/v1/messages", files=files, headers=api.key("acme"))
    assert ssda.status_code == 201, ssda.text
    assert ssda.json()["records"] > 0
    status = api.http.get(ssda.json()["status_url"], headers=api.key("acme")).json()
    assert status["format_id"] == "ssda903-csv"


def test_unsupported_or_undetectable_formats_are_refused_without_storing(api: Api) -> None:
    assert (
        api.http.post(
            "/v1/messages", content=b"hello", headers={"Content-Type": "text/plain", **api.key("acme")}
        ).status_code
        == 415
    )
    unknown = api.http.post(
        "/v1/messages?format=no-such-format", content=CHILDREN, headers={**JSONL, **api.key("acme")}
    )
    assert unknown.status_code == 415 and unknown.json()["rule"] == "read/unknown-format"
    blob = api.http.post(
        "/v1/messages",
        content=b"\x00\x01 not a known file",
        headers={"Content-Type": "application/octet-stream", **api.key("acme")},
    )
    assert blob.status_code == 415 and blob.json()["rule"] == "read/format-not-detected"
    assert api.http.post("/v1/messages", content=b"", headers={**JSONL, **api.key("acme")}).status_code == 422
    assert _count(api, messages) == 0


@pytest.mark.parametrize(
    "query",
    [
        "la_code=Okonkwo",
        "message_id=Amara%20Okonkwo",
        "format=9434765919%20x",
        "filename=../../etc/passwd-Okonkwo",
    ],
)
def test_invalid_parameters_answer_422_without_their_values(api: Api, query: str) -> None:
    response = api.http.post(f"/v1/messages?{query}", content=CHILDREN, headers={**JSONL, **api.key("acme")})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request"
    _never_echoes(response.text, query.encode() + CHILDREN)
    assert "passwd" not in response.text


def test_a_failed_audit_write_rolls_back_the_outcome_and_its_events(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    service = api.app.state.submissions

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise StorageError("could not write the audit log")

    monkeypatch.setattr(service.audit, "append", broken)
    failed = api.http.post("/v1/messages?message_id=m-audit", content=FHIR_CHILD, headers={**FHIR, **api.key("acme")})
    assert failed.status_code == 503 and failed.headers["retry-after"]
    assert api.app.state.submissions.intake.store.status("m-audit") == "received"  # payload kept, not processed
    assert _count(api, outbox) == 0
    monkeypatch.undo()
    retried = api.http.post("/v1/messages?message_id=m-audit", content=FHIR_CHILD, headers={**FHIR, **api.key("acme")})
    assert retried.status_code == 201 and retried.json()["outcome"] == "accepted"
    assert _count(api, outbox) == 2
    history = api.http.get("/v1/messages/m-audit", headers=api.key("acme")).json()["history"]
    states = [change["state"] for change in history]
    assert states[-1] == "accepted" and "failed" in states


def _wait_for(api: Api, url: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(600):
        found: dict[str, Any] = api.http.get(url, headers=headers).json()
        if found["state"] not in ("queued", "processing"):
            return found
        threading.Event().wait(0.05)
    raise AssertionError("the asynchronous submission did not finish")


def test_respond_async_answers_202_and_processes_in_the_background(api: Api) -> None:
    accepted = api.http.post(
        "/v1/messages?message_id=m-async",
        content=FHIR_CHILD,
        headers={**FHIR, "Prefer": "respond-async", **api.key("acme")},
    )
    assert accepted.status_code == 202
    assert accepted.headers["location"] == "/v1/messages/m-async"
    assert accepted.headers["preference-applied"] == "respond-async"
    found = _wait_for(api, "/v1/messages/m-async", api.key("acme"))
    assert (found["state"], found["status"]) == ("accepted", "accepted")
    assert [change["state"] for change in found["history"]] == ["received", "queued", "processing", "accepted"]


def test_an_async_submission_with_a_foreign_record_is_refused_and_nothing_routed(api: Api) -> None:
    accepted = api.http.post(
        "/v1/messages?message_id=m-async-foreign",
        content=CENSUS,
        headers={**XML, "Prefer": "respond-async", **api.key("beacon")},
    )
    assert accepted.status_code == 202
    found = _wait_for(api, "/v1/messages/m-async-foreign", api.key("beacon"))
    assert (found["state"], found["status"], found["records"]) == ("refused", "rejected", 0)
    assert {issue["rule"] for issue in found["issues"]} == {"access/la-not-permitted"}
    assert found["deliveries"] == []
    _never_echoes(str(found), CENSUS)


@pytest.mark.parametrize("settles", ["before the message is read", "after the message is read"])
def test_a_status_read_while_the_submission_settles_shows_a_state_and_status_that_agree(
    api: Api, monkeypatch: pytest.MonkeyPatch, settles: str
) -> None:
    """The refusal commits between the status read's reads of the state and of the message. Either the old
    pair or the new one is shown, never a mix: seen in CI both ways, ``rejected`` for a refused submission
    (old state, new outcome) and ``refused`` beside ``received`` (new state, old outcome)."""
    submissions = api.app.state.submissions
    held: list[Any] = []
    monkeypatch.setattr(submissions.background, "run", lambda _message_id, job, *args: held.append((job, args)))
    accepted = api.http.post(
        "/v1/messages?message_id=m-settling",
        content=CENSUS,
        headers={**XML, "Prefer": "respond-async", **api.key("beacon")},
    )
    assert accepted.status_code == 202
    assert api.http.get("/v1/messages/m-settling", headers=api.key("beacon")).json()["state"] == "queued"
    store = submissions.intake.store
    read = store.get

    def settle() -> None:
        while held:
            job, args = held.pop()
            assert job(*args) == "refused"

    def read_and_settle(message_id: str) -> Any:
        if settles == "before the message is read":
            settle()
            return read(message_id)
        found = read(message_id)
        settle()
        return found

    monkeypatch.setattr(store, "get", read_and_settle)
    found = api.http.get("/v1/messages/m-settling", headers=api.key("beacon")).json()
    assert not held
    if settles == "before the message is read":
        assert (found["state"], found["status"]) == ("refused", "rejected")
        assert [change["state"] for change in found["history"]] == ["received", "queued", "processing", "refused"]
    else:
        assert (found["state"], found["status"]) == ("queued", "received")
        assert [change["state"] for change in found["history"]] == ["received", "queued"]
    monkeypatch.setattr(store, "get", read)
    settled = api.http.get("/v1/messages/m-settling", headers=api.key("beacon")).json()
    assert (settled["state"], settled["status"]) == ("refused", "rejected")


def test_the_council_must_be_one_of_the_clients(api: Api) -> None:
    parts: dict[str, Any] = {"keys": {}, "signers": {}}
    register(api.clients, parts, "multi", ["201", "202"], ["submit"])
    headers = {**FHIR, "Authorization": f"ApiKey {parts['keys']['multi']}"}
    unnamed = api.http.post("/v1/messages", content=FHIR_CHILD, headers=headers)
    assert unnamed.status_code == 403
    assert unnamed.json() == {"error": "this client submits for several councils: name one with the la_code parameter"}
    assert api.http.post("/v1/messages?la_code=203", content=FHIR_CHILD, headers=headers).status_code == 403
    assert api.http.post("/v1/messages?la_code=201", content=FHIR_CHILD, headers=headers).status_code == 201
    assert _count(api, messages) == 1


@pytest.mark.parametrize("asynchronous", [False, True])
def test_rules_about_the_files_header_are_judged_over_http(api: Api, asynchronous: bool) -> None:
    """The HTTP path reads first (to authorise every record) and then judges with the reader's header, like
    every other path: a census file's wrong ReferenceDate is DfE rule 100's error, not "not evaluated"."""
    wrong = CENSUS.replace(b"<ReferenceDate>2025-03-31<", b"<ReferenceDate>2025-03-30<")
    assert wrong != CENSUS
    message_id = f"m-reference-{asynchronous}"
    prefer = {"Prefer": "respond-async"} if asynchronous else {}
    posted = api.http.post(
        f"/v1/messages?message_id={message_id}", content=wrong, headers={**XML, **prefer, **api.key("acme")}
    )
    assert posted.status_code == (202 if asynchronous else 422), posted.text
    for _ in range(200):
        status = api.http.get(f"/v1/messages/{message_id}", headers=api.key("acme")).json()
        if status["status"] != "received":
            break
        threading.Event().wait(0.05)
    rule_100 = [(issue["rule"], issue["severity"]) for issue in status["issues"] if issue["rule"] == "cin/100"]
    assert rule_100 == [("cin/100", "error")]
    assert status["status"] == "rejected"
