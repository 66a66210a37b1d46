"""``ecm-gateway review``: a person lists, opens and decides possible duplicates from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.audit import AuditLog
from gateway.cli import app
from gateway.storage import Database
from tests.gateway.matching.test_resolution import ALICE, NHS, Pipeline, pipeline, record

runner = CliRunner()


@pytest.fixture
def held(database: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    """A council's child, and a school's record of probably the same child held for review (message m-held)."""
    monkeypatch.setenv("ECM_DATABASE_URL", database_url)
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ECM_BROKER_URL", raising=False)
    p = pipeline(database)
    p.send([record("C1")], supplier="council", message_id="m-first")
    result = p.send([record("S9", given="Olly", nhs=None, upn="A950000178301")], supplier="school", message_id="m-held")
    assert result.held == (0,)
    return p


def _run(*args: str) -> str:
    result = runner.invoke(app, ["review", *args], env={"COLUMNS": "240"})
    return f"{result.exit_code}\n{result.output}"


def _audit(database: Database, action: str) -> list[tuple[str, str, str]]:
    entries = AuditLog().entries(database.engine, limit=1000)
    return [(e.entry.actor_user, e.entry.outcome, e.entry.reason) for e in entries if e.entry.action == action]


def test_list_shows_the_queue_without_personal_data(held: Pipeline) -> None:
    (review,) = held.queue.reviews()
    out = _run("list")
    assert out.startswith("0\n"), out
    assert re.search(rf"\b{review.review_id}\b.*open.*probable", out)
    assert review.record_id in out and review.candidate_id in out
    for value in ("Olly", "Oliver", "Smith", "2015-03-14", "LS6", NHS, "A950000178301", "S9", "C1"):
        assert value not in out
    assert _run("list", "--status", "same").count("probable") == 0
    assert _run("list", "--status", "nonsense").startswith("2\n")


def test_show_puts_the_pair_side_by_side_masks_identifiers_and_is_audited(held: Pipeline) -> None:
    (review,) = held.queue.reviews()
    out = _run("show", str(review.review_id), "--by", "alice")
    assert out.startswith("0\n"), out
    assert "probable match" in out
    assert re.search(r"names\s*│\s*Olly Smith\s*│\s*Oliver Smith", out), out
    assert re.search(r"birth date\s*│\s*2015-03-14\s*│\s*2015-03-14", out)
    assert "******5919" in out and NHS not in out  # NHS number masked to its last four digits
    assert "*********8301" in out and "A950000178301" not in out
    assert "given names are forms of the same name (nickname)" in out
    assert "201:S9" in out and "201:C1" in out  # the councils' ids, to find the records in their systems
    assert _audit(held.database, "match.review.view") == [("alice", "found", "duplicate review")]
    assert _run("show", "999999", "--by", "alice").startswith("1\n")
    assert _audit(held.database, "match.review.view")[-1] == ("alice", "not-found", "duplicate review")


def test_decide_same_links_releases_the_held_record_and_is_audited(held: Pipeline) -> None:
    (review,) = held.queue.reviews()
    existing = held.queue.child_of(review.candidate_id)
    out = _run("decide", str(review.review_id), "--same", "--reason", "same school and GP confirmed", "--by", "bob")
    assert out.startswith("0\n"), out
    assert f"-> {existing}" in out
    assert "released from message m-held: directory.child.upsert" in out
    assert held.queue.child_of(review.record_id) == existing and held.queue.reviews() == []
    ((decision),) = held.queue.decisions(review.record_id)
    assert (decision.action, decision.decided_by, decision.reason) == ("same", "bob", "same school and GP confirmed")
    assert _audit(held.database, "match.same") == [("bob", "done", "same school and GP confirmed")]
    # deciding again is refused; the decision is reversible from the command line
    again = _run("decide", str(review.review_id), "--different", "--reason", "changed my mind now", "--by", "bob")
    assert again.startswith("1\n") and "already been decided" in again
    undo = _run("reverse", str(decision.decision_id), "--reason", "decided on the wrong pair", "--by", "carol")
    assert undo.startswith("0\n"), undo
    assert held.queue.child_of(review.record_id) not in (None, existing)
    assert [d.action for d in held.queue.decisions(review.record_id)] == ["same", "unmerge"]


def test_decide_different_makes_a_new_child_and_unmerge_needs_a_merged_record(held: Pipeline) -> None:
    (review,) = held.queue.reviews()
    out = _run("decide", str(review.review_id), "--different", "--reason", "different mother on record", "--by", "al")
    assert out.startswith("0\n"), out
    new_child = held.queue.child_of(review.record_id)
    assert new_child is not None and new_child != held.queue.child_of(review.candidate_id)
    assert held.queue.remembered_not_same(review.record_id, review.candidate_id)
    lonely = _run("unmerge", review.record_id, "--reason", "not merged with anything", "--by", "al")
    assert lonely.startswith("1\n") and "not merged" in lonely


def test_unmerge_from_the_command_line(held: Pipeline) -> None:
    (review,) = held.queue.reviews()
    held.queue.decide(review.review_id, same=True, by=ALICE, reason="same child confirmed")
    merged = held.queue.child_of(review.candidate_id)
    out = _run("unmerge", review.record_id, "--reason", "different birth certificate", "--by", "dee")
    assert out.startswith("0\n"), out
    assert held.queue.child_of(review.record_id) not in (None, merged)
    assert held.queue.child_of(review.candidate_id) == merged
    assert _audit(held.database, "match.unmerge") == [("dee", "done", "different birth certificate")]


@pytest.mark.parametrize(
    "args",
    [
        ("decide", "1", "--same", "--different", "--reason", "both at once is wrong"),
        ("decide", "1", "--reason", "neither is wrong too"),
        ("decide", "1", "--same", "--reason", "short"),
        ("unmerge", "x", "--reason", "   "),
    ],
)
def test_decisions_need_one_answer_and_a_reason(held: Pipeline, args: tuple[str, ...]) -> None:
    assert _run(*args).startswith("2\n")
    assert held.queue.decisions() == []
