"""The duplicate-review API on SQLite and PostgreSQL: list, open (masked, audited), decide, unmerge, reverse;
only one's own councils' reviews; decisions only by a named person."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit import AuditLog
from gateway.logs import JsonFormatter
from gateway.routing.tables import outbox
from gateway.storage import Database
from gateway.storage.tables import match_decisions
from tests.gateway.http.conftest import Api, register
from tests.gateway.matching.test_resolution import NHS, Pipeline, pipeline, record

UPN = "A950000178301"
PERSONAL = ("Olly", "Oliver", "Smith", "Grace", "2015-03-14", "LS6", NHS, UPN, "S9", "C1")


@dataclass
class Desk:
    api: Api
    held: Pipeline
    review_id: int
    record_id: str
    candidate_id: str

    def as_person(self, client: str = "reviewer", user: str = "bob", **act: Any) -> dict[str, str]:
        return self.api.bearer(client, act={"sub": user, **act})

    def get(self, path: str, headers: dict[str, str]) -> Any:
        return self.api.http.get(path, headers=headers)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        return self.api.http.post(path, json=body, headers=headers)

    def audit(self, action: str) -> list[tuple[str, str, str, str]]:
        entries = AuditLog().entries(self.api.database.engine, limit=1000)
        return [
            (e.entry.actor_user, e.entry.actor_org, e.entry.outcome, e.entry.reason)
            for e in entries
            if e.entry.action == action
        ]

    def kinds(self, message_id: str | None = None) -> list[str]:
        query = select(outbox.c.kind).order_by(outbox.c.outbox_id)
        if message_id is not None:
            query = query.where(outbox.c.message_id == message_id)
        with self.api.database.engine.connect() as conn:
            return [row.kind for row in conn.execute(query)]


@pytest.fixture
def desk(make_api: Callable[..., Api], database: Database) -> Desk:
    """A council's child and a school's record of probably the same child held for review (message m-held),
    with reviewers registered for council 201 (``reviewer``) and council 202 (``elsewhere``)."""
    api = make_api()
    parts: dict[str, Any] = {"keys": api.keys, "signers": api.signers}
    register(api.clients, parts, "reviewer", ["201"], ["review:duplicates"])
    register(api.clients, parts, "elsewhere", ["202"], ["review:duplicates"])
    held = pipeline(database)
    held.send([record("C1")], supplier="council", message_id="m-first")
    result = held.send([record("S9", given="Olly", nhs=None, upn=UPN)], supplier="school", message_id="m-held")
    assert result.held == (0,)
    (review,) = held.queue.reviews()
    return Desk(api, held, review.review_id, review.record_id, review.candidate_id)


def test_the_list_shows_ones_own_councils_reviews_without_personal_data(desk: Desk) -> None:
    answer = desk.get("/v1/reviews", desk.api.key("reviewer"))
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()["reviews"]
    assert (item["review_id"], item["record_id"], item["candidate_id"]) == (
        desk.review_id, desk.record_id, desk.candidate_id,
    )  # fmt: skip
    assert (item["status"], item["grade"], answer.json()["next_after"]) == ("open", "probable", None)
    assert not [value for value in PERSONAL if value in answer.text]
    assert desk.get("/v1/reviews", desk.api.key("elsewhere")).json() == {"reviews": [], "next_after": None}
    assert desk.get("/v1/reviews?status=same", desk.api.key("reviewer")).json()["reviews"] == []
    assert desk.get("/v1/reviews?status=nonsense", desk.api.key("reviewer")).status_code == 422


def test_the_list_pages(desk: Desk) -> None:
    desk.held.send([record("S10", given="Ollie", nhs=None)], supplier="school", message_id="m-held-2")
    everything = desk.get("/v1/reviews?limit=500", desk.api.key("reviewer")).json()["reviews"]
    assert len(everything) >= 2
    seen, after = [], 0
    while True:
        page = desk.get(f"/v1/reviews?limit=1&after={after}", desk.api.key("reviewer")).json()
        seen += [item["review_id"] for item in page["reviews"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == [item["review_id"] for item in everything]


def test_open_shows_the_pair_masked_as_the_cli_does_and_is_audited(desk: Desk) -> None:
    answer = desk.get(f"/v1/reviews/{desk.review_id}?purpose=duplicate-check", desk.as_person(user="alice"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    record, candidate = body["record"], body["candidate"]
    assert (record["record_id"], record["child_id"], record["state"]) == (desk.record_id, None, "pending")
    assert candidate["child_id"] is not None and candidate["state"] == "linked"
    assert [n["given"] for n in record["names"]] == [["Olly"]] and candidate["names"][0]["given"] == ["Oliver"]
    assert record["birth_date"] == candidate["birth_date"] == "2015-03-14"
    assert candidate["nhs_number"] == "******5919" and record["nhs_number"] is None
    assert record["upns"] == ["*********8301"]
    assert NHS not in answer.text and UPN not in answer.text
    assert record["council_child_ids"] == ["201:S9"] and candidate["council_child_ids"] == ["201:C1"]
    assert body["grade"] == "probable" and body["status"] == "open"
    assert "given names are forms of the same name (nickname)" in [item["comparison"] for item in body["explanation"]]
    assert desk.audit("match.review.view") == [("alice", "reviewer", "found", "duplicate-check")]
    assert body["audit_seq"] >= 1
    # a system acting as itself may read (audited as the client), and the purpose defaults to duplicate-check
    assert desk.get(f"/v1/reviews/{desk.review_id}", desk.api.key("reviewer")).status_code == 200
    assert desk.audit("match.review.view")[-1] == ("client:reviewer", "reviewer", "found", "duplicate-check")


def test_another_councils_review_answers_exactly_like_a_missing_one(desk: Desk) -> None:
    missing = desk.get("/v1/reviews/999999", desk.as_person("elsewhere"))
    foreign = desk.get(f"/v1/reviews/{desk.review_id}", desk.as_person("elsewhere"))
    assert missing.status_code == foreign.status_code == 404
    assert missing.json() == foreign.json() == {"error": "not found"}
    assert [entry[2] for entry in desk.audit("match.review.view")] == ["not-found", "refused"]
    reason = {"reason": "same child: confirmed with the school"}
    for path, body in (
        (f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", **reason}),
        (f"/v1/records/{desk.record_id}/unmerge", reason),
        (f"/v1/records/{desk.candidate_id}/unmerge", reason),
    ):
        answer = desk.post(path, body, desk.as_person("elsewhere"))
        assert (answer.status_code, answer.json()) == (404, {"error": "not found"}), path
    decided = desk.post(f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", **reason}, desk.as_person())
    assert decided.status_code == 200, decided.text
    decision_id = decided.json()["decision_id"]
    for decision in (decision_id, 999999):
        answer = desk.post(f"/v1/decisions/{decision}/reverse", reason, desk.as_person("elsewhere"))
        assert (answer.status_code, answer.json()) == (404, {"error": "not found"})
    assert [d.action for d in desk.held.queue.decisions()] == ["same"]


def test_deciding_same_links_the_record_releases_it_and_is_audited(desk: Desk) -> None:
    existing = desk.held.queue.child_of(desk.candidate_id)
    assert "directory.child.upsert" not in desk.kinds("m-held")  # held back until a person decides
    reason = "same school and GP confirmed"
    answer = desk.post(
        f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", "reason": f"  {reason} "}, desk.as_person()
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["action"], body["record_id"], body["other_id"]) == ("same", desk.record_id, desk.candidate_id)
    assert (body["child_id_before"], body["child_id_after"], body["decided_by"]) == (None, existing, "bob")
    assert body["released_from"] == "m-held" and "directory.child.upsert" in body["released_events"]
    assert "directory.child.upsert" in desk.kinds("m-held")  # the held record's events are in the outbox
    assert desk.held.queue.child_of(desk.record_id) == existing
    assert desk.audit("match.same") == [("bob", "reviewer", "done", reason)]
    with desk.api.database.engine.connect() as conn:
        assert conn.execute(select(match_decisions.c.decided_by, match_decisions.c.reason)).all() == [("bob", reason)]
    again = desk.post(
        f"/v1/reviews/{desk.review_id}/decision", {"decision": "different", "reason": reason}, desk.as_person()
    )
    assert again.status_code == 409 and "already been decided" in again.json()["error"]
    listed = desk.get("/v1/reviews?status=same", desk.api.key("reviewer")).json()["reviews"]
    assert [item["review_id"] for item in listed] == [desk.review_id]


def test_deciding_different_makes_a_new_child_and_unmerge_needs_a_merged_record(desk: Desk) -> None:
    reason = {"reason": "different mother on record"}
    answer = desk.post(
        f"/v1/reviews/{desk.review_id}/decision", {"decision": "different", **reason}, desk.as_person(user="al")
    )
    assert answer.status_code == 200, answer.text
    new_child = answer.json()["child_id_after"]
    assert answer.json()["action"] == "not-same" and new_child not in (
        None,
        desk.held.queue.child_of(desk.candidate_id),
    )
    assert desk.held.queue.child_of(desk.record_id) == new_child
    assert "directory.child.upsert" in answer.json()["released_events"]  # released as a new child
    assert desk.held.queue.remembered_not_same(desk.record_id, desk.candidate_id)
    lonely = desk.post(f"/v1/records/{desk.record_id}/unmerge", reason, desk.as_person(user="al"))
    assert lonely.status_code == 409 and "not merged" in lonely.json()["error"]
    missing = desk.post("/v1/records/src-nothing/unmerge", reason, desk.as_person(user="al"))
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})


def test_unmerge_and_reverse_over_the_api(desk: Desk) -> None:
    why = {"reason": "same child confirmed by phone"}
    merged = desk.post(f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", **why}, desk.as_person())
    child = merged.json()["child_id_after"]
    moves_before = desk.kinds().count("directory.child.move")
    unmerged = desk.post(
        f"/v1/records/{desk.record_id}/unmerge", {"reason": "different birth certificate"}, desk.as_person(user="dee")
    )
    assert unmerged.status_code == 200, unmerged.text
    assert (unmerged.json()["action"], unmerged.json()["child_id_before"]) == ("unmerge", child)
    assert desk.held.queue.child_of(desk.record_id) not in (None, child)
    assert desk.held.queue.child_of(desk.candidate_id) == child
    assert desk.kinds().count("directory.child.move") == moves_before + 1  # the directory is told
    assert desk.audit("match.unmerge") == [("dee", "reviewer", "done", "different birth certificate")]
    undo = desk.post(
        f"/v1/decisions/{unmerged.json()['decision_id']}/reverse",
        {"reason": "unmerged the wrong record"},
        desk.as_person(user="carol"),
    )
    assert undo.status_code == 200, undo.text
    assert (undo.json()["action"], undo.json()["reverses"]) == ("same", unmerged.json()["decision_id"])
    assert desk.held.queue.child_of(desk.record_id) == child
    twice = desk.post(
        f"/v1/decisions/{unmerged.json()['decision_id']}/reverse",
        {"reason": "unmerged the wrong record"},
        desk.as_person(user="carol"),
    )
    assert twice.status_code == 409 and "already been reversed" in twice.json()["error"]


def test_every_route_needs_the_review_scope(desk: Desk) -> None:
    why = {"reason": "same child confirmed by phone"}
    credentials: list[Callable[[], dict[str, str]]] = [
        lambda: desk.api.key("acme"),
        lambda: desk.api.bearer("acme", act={"sub": "bob"}),  # a token is spent by one request
    ]
    for headers in credentials:
        for answer in (
            desk.get("/v1/reviews", headers()),
            desk.get(f"/v1/reviews/{desk.review_id}", headers()),
            desk.post(f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", **why}, headers()),
            desk.post(f"/v1/records/{desk.record_id}/unmerge", why, headers()),
            desk.post("/v1/decisions/1/reverse", why, headers()),
        ):
            assert answer.status_code == 403 and "review:duplicates" in answer.json()["error"]
    assert desk.get("/v1/reviews", {}).status_code == 401
    # a user whose system names their roles needs the review role among them
    narrowed = desk.get("/v1/reviews", desk.as_person(roles=[]))
    assert narrowed.status_code == 403 and "duplicates.review" in narrowed.json()["error"]
    assert desk.get("/v1/reviews", desk.as_person(roles=["duplicates.review"])).status_code == 200
    assert desk.audit("match.review.view") == [] and desk.held.queue.decisions() == []


def test_decisions_need_a_named_person(desk: Desk) -> None:
    why = {"reason": "same child confirmed by phone"}
    credentials: list[Callable[[], dict[str, str]]] = [
        lambda: desk.api.key("reviewer"),
        lambda: desk.api.bearer("reviewer"),  # a token without act: the client acting as itself
    ]
    for headers in credentials:
        for path, body in (
            (f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", **why}),
            (f"/v1/records/{desk.record_id}/unmerge", why),
            ("/v1/decisions/1/reverse", why),
        ):
            answer = desk.post(path, body, headers())
            assert answer.status_code == 403, path
            assert "person" in answer.json()["error"] and "act.sub" in answer.json()["error"]
    assert desk.held.queue.decisions() == [] and desk.held.queue.child_of(desk.record_id) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "same", "reason": "Olly 2015"}, "body.reason"),
        ({"decision": "same", "reason": "   Olly 201     "}, "body.reason"),
        ({"decision": "same"}, "body.reason"),
        ({"decision": "maybe", "reason": "a long enough reason"}, "body.decision"),
        ({"decision": "same", "reason": "a long enough reason\x00 with a NUL"}, "body.reason"),
        ({"decision": "same", "reason": "a long enough reason", "extra": "Oliver"}, "body.*"),
    ],
)
def test_a_decision_needs_an_answer_and_a_reason_of_ten_characters(
    desk: Desk, body: dict[str, Any], field: str
) -> None:
    answer = desk.post(f"/v1/reviews/{desk.review_id}/decision", body, desk.as_person())
    assert answer.status_code == 422, answer.text
    assert field in [problem["field"] for problem in answer.json()["problems"]]
    assert not [value for value in ("Olly", "Oliver", "NUL", "long enough") if value in answer.text]
    assert desk.held.queue.decisions() == []
    short = desk.post(f"/v1/records/{desk.record_id}/unmerge", {"reason": "too short"}, desk.as_person())
    assert short.status_code == 422


def test_review_ids_out_of_range_are_refused_not_failed(desk: Desk) -> None:
    headers = desk.api.key("reviewer")
    for path in ("/v1/reviews/0", "/v1/reviews/99999999999", "/v1/reviews?after=-1", "/v1/reviews?limit=501"):
        assert desk.get(path, headers).status_code == 422, path


def test_nothing_personal_and_no_reason_reaches_the_logs(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    reasons = ("Grace confirmed same GP", "Olly has another mother", "reversed: Smith family")
    with caplog.at_level(logging.DEBUG):
        desk.get("/v1/reviews", desk.api.key("reviewer"))
        desk.get(f"/v1/reviews/{desk.review_id}", desk.as_person())
        desk.get(f"/v1/reviews/{desk.review_id}", desk.as_person("elsewhere"))
        desk.post(
            f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", "reason": "Olly\x00"}, desk.as_person()
        )
        desk.post(
            f"/v1/reviews/{desk.review_id}/decision",
            {"decision": "same", "reason": reasons[0]},
            desk.api.key("reviewer"),
        )
        decided = desk.post(
            f"/v1/reviews/{desk.review_id}/decision", {"decision": "same", "reason": reasons[0]}, desk.as_person()
        )
        unmerged = desk.post(f"/v1/records/{desk.record_id}/unmerge", {"reason": reasons[1]}, desk.as_person())
        desk.post(f"/v1/decisions/{unmerged.json()['decision_id']}/reverse", {"reason": reasons[2]}, desk.as_person())
    assert decided.status_code == unmerged.status_code == 200
    formatter = JsonFormatter()
    lines = [
        f"{formatter.format(r)} {r.getMessage()} {r.__dict__!r}"
        for r in caplog.records
        if not r.name.startswith("httpx")
    ]
    assert lines  # the routes do log (requests, decisions, releases)
    assert [value for value in (*PERSONAL, *reasons) if any(value in line for line in lines)] == []
