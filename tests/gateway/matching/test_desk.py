"""The review desk shared by ``ecm-gateway review`` and the HTTP API: reasons, councils, pages, releases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.access import Caller
from gateway.audit import AuditLog
from gateway.matching import Decision
from gateway.matching import desk as desk_module
from gateway.matching.desk import (
    MIN_REASON,
    ReasonTooShort,
    ReviewDesk,
    ReviewNotFound,
    checked_reason,
    record_councils,
)
from gateway.model import ChildRecord, LocalId
from gateway.routing.tables import outbox
from gateway.storage import Database
from gateway.storage.tables import match_identities
from tests.gateway.matching.test_resolution import Pipeline, pipeline, record

BOB = Caller(user_id="bob", organisation_code="LA201")
ANN = Caller(user_id="ann", organisation_code="LA201")


def _in_council(child: ChildRecord, la_code: str) -> ChildRecord:
    local = child.child.local_ids[0]
    ids = (LocalId(la_code=la_code, la_child_id=local.la_child_id),)
    return child.model_copy(update={"child": child.child.model_copy(update={"local_ids": ids})})


def _desk(p: Pipeline) -> ReviewDesk:
    return ReviewDesk(p.database, p.queue)


@pytest.fixture
def held(database: Database) -> Pipeline:
    """One known child, and records of probably the same child held for review from councils 201 and 202."""
    p = pipeline(database)
    p.send([record("C1")], supplier="council", message_id="m-first")
    for n in range(3):
        p.send([record(f"S{n}", given="Olly", nhs=None)], supplier="school", message_id=f"m-201-{n}")
        p.send([_in_council(record(f"T{n}", given="Olly", nhs=None), "202")], supplier="other", message_id=f"m-202-{n}")
    return p


def test_a_reason_is_trimmed_and_needs_ten_characters() -> None:
    assert checked_reason("  same GP, same school \n") == "same GP, same school"
    for short in ("", "   ", "x" * (MIN_REASON - 1), f"  {'y' * (MIN_REASON - 1)}  "):
        with pytest.raises(ReasonTooShort, match="at least 10 characters"):
            checked_reason(short)


def test_a_records_councils_are_its_la_child_ids_else_its_held_message() -> None:
    assert record_councils({"local_ids": ["201:A1", "202:B2"]}, "203") == {"201", "202"}
    assert record_councils({"local_ids": []}, "203") == {"203"}
    assert record_councils({"local_ids": ["no-council"]}, None) == frozenset()
    assert record_councils(None, None) == frozenset()


def _council_of(database: Database, record_id: str) -> str:
    with database.engine.connect() as conn:
        identity = conn.execute(
            select(match_identities.c.identity).where(match_identities.c.record_id == record_id)
        ).scalar_one()
    return str(identity["local_ids"][0]).split(":")[0]


@pytest.mark.parametrize("scan", [2, 500])
def test_pages_hold_only_the_callers_councils_across_scans(
    held: Pipeline, scan: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desk_module, "_SCAN", scan)
    desk = _desk(held)
    every = held.queue.reviews(status="open", limit=1000)
    assert {_council_of(held.database, r.record_id) for r in every} == {"201", "202"}
    for councils in ({"201"}, {"202"}, {"201", "202"}):
        expected = [r.review_id for r in every if _council_of(held.database, r.record_id) in councils]
        seen: list[int] = []
        after: int | None = 0
        while after is not None:
            page, after = desk.reviews(limit=2, after=after, councils=councils)
            assert len(page) <= 2
            seen += [r.review_id for r in page]
        assert seen == expected
    assert desk.reviews(councils={"999"}) == ([], None)
    everything, more = desk.reviews(limit=1000)
    assert [r.review_id for r in everything] == [r.review_id for r in every] and more is None
    with pytest.raises(ValueError, match="status must be one of"):
        desk.reviews(status="maybe")


def test_another_councils_review_is_not_found_and_its_opening_is_audited_as_refused(held: Pipeline) -> None:
    desk = _desk(held)
    (review, *_) = [r for r in held.queue.reviews(limit=1000) if _council_of(held.database, r.record_id) == "202"]
    assert desk.open(review.review_id, by=BOB, purpose="duplicate-check", councils={"201"}) is None
    assert desk.open(review.review_id, by=BOB, purpose="duplicate-check", councils={"202"}) is not None
    views = [e.entry for e in AuditLog().entries(held.database.engine, limit=1000) if e.entry.action.endswith("view")]
    assert [(v.actor_user, v.outcome, v.subject) for v in views] == [
        ("bob", "refused", str(review.review_id)),
        ("bob", "found", str(review.review_id)),
    ]
    assert not views[0].result_ids  # a refused read names no record
    why = "same child: confirmed with the school"
    with pytest.raises(ReviewNotFound):
        desk.decide(review.review_id, same=True, by=BOB, reason=why, councils={"201"})
    with pytest.raises(ReviewNotFound):
        desk.unmerge(review.candidate_id, by=BOB, reason=why, councils={"202"})  # the candidate is council 201's
    with pytest.raises(ReviewNotFound):
        desk.reverse(999_999, by=BOB, reason=why)
    assert held.queue.decisions() == []


def test_a_decision_reports_what_the_held_record_released(held: Pipeline) -> None:
    desk = _desk(held)
    review = held.queue.reviews(limit=1000)[0]
    decided = desk.decide(review.review_id, same=True, by=BOB, reason="same child: confirmed by the school")
    assert decided.decision.action == "same" and decided.held_message_id is not None
    assert "directory.child.upsert" in decided.released
    assert decided.decision.reason == "same child: confirmed by the school"
    unmerged = desk.unmerge(review.record_id, by=BOB, reason="different birth certificate seen")
    assert (unmerged.decision.action, unmerged.held_message_id, unmerged.released) == ("unmerge", None, ())
    with pytest.raises(ReasonTooShort):
        desk.reverse(unmerged.decision.decision_id, by=BOB, reason="too short")
    assert desk.reverse(unmerged.decision.decision_id, by=BOB, reason="unmerged by mistake").decision.action == "same"


def test_a_decision_reports_only_the_events_its_own_release_wrote(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reviewers decide records held in the same message at once: the other's release commits while Bob
    decides, and Bob's answer names his own record's events only (not a slice of the message's outbox)."""
    p = pipeline(database)
    p.send([record("C1")], supplier="council", message_id="m-first")
    both = [record("S1", given="Olly", nhs=None), record("S2", given="Olly", nhs=None, caf=True)]
    assert p.send(both, supplier="school", message_id="m-both").held == (0, 1)
    reviews = p.queue.reviews(limit=1000)
    mine, theirs = [r for r in reviews if r.candidate_id not in {other.record_id for other in reviews}]
    decide = p.queue.decide
    other: list[Decision] = []

    def meanwhile(review_id: int, *, same: bool, by: Caller, reason: str) -> Decision:
        other.append(decide(theirs.review_id, same=True, by=ANN, reason="same child: the school confirmed it"))
        return decide(review_id, same=same, by=by, reason=reason)

    monkeypatch.setattr(p.queue, "decide", meanwhile)
    decided = _desk(p).decide(mine.review_id, same=True, by=BOB, reason="same child: confirmed by the GP")
    assert decided.held_message_id == "m-both"
    assert decided.released == ("directory.child.upsert",)  # Ann's record also sent a CAF upsert
    assert [e.kind for e in other[0].released] == ["directory.child.upsert", "caf.assessment.upsert"]
    with database.engine.connect() as conn:
        written = set(conn.execute(select(outbox.c.event_id).where(outbox.c.message_id == "m-both")).scalars())
    ours, hers = {e.event_id for e in decided.decision.released}, {e.event_id for e in other[0].released}
    assert ours | hers == written and not ours & hers
    assert all(d.released == () for d in p.queue.decisions())  # the log does not keep them
