"""The review queue life cycle: resolve, decide (same / not the same), remember, unmerge, reverse, audit."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.access import Caller
from gateway.audit import AuditLog
from gateway.matching import ReviewQueue, ReviewStateError
from gateway.storage import Database
from tests.gateway.matching.helpers import child

ALICE = Caller(user_id="alice", organisation_code="LA201")
NHS = "9434765919"
MOTHER = (("Grace", "Smith"),)


def queue_with_a_probable_pair(database: Database) -> tuple[ReviewQueue, int]:
    queue = ReviewQueue(database)
    assert queue.resolve(child("a", nhs=NHS, carers=MOTHER)).outcome == "new"
    resolution = queue.resolve(child("b", given="Olly", carers=MOTHER))
    assert resolution.outcome == "review"
    assert resolution.child_id is None
    (review_id,) = resolution.review_ids
    return queue, review_id


def test_certain_links_none_is_new_and_probable_waits_for_a_person(database: Database) -> None:
    queue = ReviewQueue(database)
    first = queue.resolve(child("a", nhs=NHS))
    assert first.outcome == "new" and first.child_id
    linked = queue.resolve(child("b", nhs=NHS, birth=date(2015, 3, 15)))
    assert (linked.outcome, linked.child_id) == ("linked", first.child_id)
    other = queue.resolve(child("c", given="Ruby", family="Jones", birth=date(2011, 6, 1), postcode="M14 5QT"))
    assert other.outcome == "new" and other.child_id != first.child_id
    pending = queue.resolve(child("d", given="Olly"))
    assert pending.outcome == "review"
    assert queue.status_of("d") == "pending" and queue.child_of("d") is None
    reviews = queue.reviews()
    assert {r.candidate_id for r in reviews} == {"a", "b"}
    assert all("given names are forms of the same name" in r.explanation_text() for r in reviews)


def test_decide_same_merges_and_is_audited(database: Database) -> None:
    queue, review_id = queue_with_a_probable_pair(database)
    decision = queue.decide(review_id, same=True, by=ALICE, reason="same school and GP confirmed")
    assert decision.action == "same" and decision.decided_by == "alice"
    assert queue.child_of("b") == queue.child_of("a") and queue.status_of("b") == "linked"
    assert queue.reviews() == []
    assert [r.status for r in queue.reviews(status=None)] == ["same"]
    entries = AuditLog().entries(database.engine, subject="b")
    assert [(e.entry.action, e.entry.actor_user, e.entry.reason) for e in entries] == [
        ("match.same", "alice", "same school and GP confirmed")
    ]
    assert AuditLog().verify(database.engine).ok
    with pytest.raises(ReviewStateError, match="already been decided"):
        queue.decide(review_id, same=False, by=ALICE, reason="again")


def test_not_the_same_is_remembered_and_never_asked_again(database: Database) -> None:
    queue, review_id = queue_with_a_probable_pair(database)
    decision = queue.decide(review_id, same=False, by=ALICE, reason="different mother's address history")
    assert decision.action == "not-same"
    assert queue.remembered_not_same("a", "b")
    assert queue.child_of("b") is not None and queue.child_of("b") != queue.child_of("a")
    again = queue.resolve(child("b", given="Olly", carers=MOTHER))  # the supplier sends the record again
    assert again.outcome == "known" and again.review_ids == ()
    assert queue.reviews() == []


def test_unmerge_and_reverse_every_decision(database: Database) -> None:
    queue, review_id = queue_with_a_probable_pair(database)
    merged = queue.decide(review_id, same=True, by=ALICE, reason="merge")
    child_a = queue.child_of("a")
    undone = queue.reverse(merged.decision_id, by=ALICE, reason="merged in error")
    assert undone.action == "unmerge" and undone.reverses == merged.decision_id
    assert queue.child_of("b") != child_a and queue.remembered_not_same("a", "b")
    relinked = queue.reverse(undone.decision_id, by=ALICE, reason="it was right after all")
    assert relinked.action == "same" and queue.child_of("b") == child_a
    assert not queue.remembered_not_same("a", "b")
    unmerged = queue.unmerge("b", by=ALICE, reason="birth certificate differs")
    assert unmerged.child_id_before == child_a and queue.child_of("b") == unmerged.child_id_after != child_a
    with pytest.raises(ReviewStateError, match="already been reversed"):
        queue.reverse(merged.decision_id, by=ALICE, reason="twice")
    actions = [d.action for d in queue.decisions("b")]
    assert actions == ["same", "unmerge", "same", "unmerge"]
    assert [e.entry.action for e in AuditLog().entries(database.engine, subject="b")] == [
        "match.same", "match.unmerge", "match.same", "match.unmerge"
    ]  # fmt: skip


def test_reversing_not_the_same_reopens_the_review(database: Database) -> None:
    queue, review_id = queue_with_a_probable_pair(database)
    decision = queue.decide(review_id, same=False, by=ALICE, reason="no")
    reopened = queue.reverse(decision.decision_id, by=ALICE, reason="new information")
    assert reopened.action == "reopen"
    assert [r.review_id for r in queue.reviews()] == [review_id]
    assert queue.status_of("b") == "pending" and queue.child_of("b") is None
    assert not queue.remembered_not_same("a", "b")


def test_merge_needs_a_candidate_that_is_itself_decided(database: Database) -> None:
    queue, _ = queue_with_a_probable_pair(database)
    third = queue.resolve(child("c", given="Oliver", carers=MOTHER, line=None))
    pending_review = next(r for r in queue.reviews(record_id="c") if r.candidate_id == "b")
    with pytest.raises(ReviewStateError, match="itself awaiting review"):
        queue.decide(pending_review.review_id, same=True, by=ALICE, reason="x")
    assert third.outcome == "review"
    with pytest.raises(ReviewStateError, match="not merged"):
        queue.unmerge("a", by=ALICE, reason="nothing merged")
