"""Concurrent resolves: two messages about the same new child at once create one child, on both databases."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection, Iterable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gateway.matching import Matcher, MatchResult, PreparedRecord, ReviewQueue
from gateway.matching import review as review_module
from gateway.matching.locks import lock_for_resolution, lock_id
from gateway.matching.review import Resolution
from gateway.storage import Database
from tests.gateway.matching.helpers import child

NHS = "9434765919"


class _MeetingMatcher(Matcher):
    """Waits (up to two seconds) for the other resolve to reach the same point between reading its candidates
    and writing: without a lock both get there and both see no candidate."""

    def __init__(self, barrier: threading.Barrier) -> None:
        super().__init__()
        self._barrier = barrier

    def rank(
        self, prepared: PreparedRecord, candidates: Iterable[PreparedRecord], *, exclude: Collection[str] = ()
    ) -> list[MatchResult]:
        found = list(candidates)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other resolve waits for our lock: go on
            self._barrier.wait()
        return super().rank(prepared, found, exclude=exclude)


def _race(database: Database) -> list[Resolution]:
    queue = ReviewQueue(database, matcher=_MeetingMatcher(threading.Barrier(2, timeout=2)))
    records = [child("from-council", nhs=NHS, local_ids=("201:C1",)), child("from-health", nhs=NHS)]
    results: list[Resolution] = []
    errors: list[BaseException] = []

    def resolve(index: int) -> None:
        try:
            results.append(queue.resolve(records[index]))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=resolve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_concurrent_resolves_of_the_same_new_child_create_one_child(database: Database) -> None:
    results = _race(database)
    assert sorted(r.outcome for r in results) == ["linked", "new"]
    assert len({r.child_id for r in results}) == 1


def test_without_the_lock_the_same_race_creates_two_children(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the race above is real, and the lock is what wins it."""
    monkeypatch.setattr(review_module, "lock_for_resolution", lambda connection, keys: None)
    results = _race(database)
    assert [r.outcome for r in results] == ["new", "new"]
    assert len({r.child_id for r in results}) == 2


def test_a_resolve_holds_its_keys_until_its_transaction_ends(database: Database) -> None:
    with database.engine.connect() as holder, database.engine.connect() as other:
        with holder.begin():
            lock_for_resolution(holder, ["n:9434765919", "l:201:C1"])
            if database.dialect == "postgresql":
                try_lock = text("SELECT pg_try_advisory_xact_lock(:id)")
                with other.begin():
                    assert other.execute(try_lock, {"id": lock_id("l:201:C1")}).scalar_one() is False
                    assert other.execute(try_lock, {"id": lock_id("p:M145QT")}).scalar_one() is True
            else:
                other.execute(text("PRAGMA busy_timeout = 50"))
                other.commit()
                with pytest.raises(OperationalError, match="locked"), other.begin():
                    lock_for_resolution(other, ["p:M145QT"])  # SQLite: one writer at a time
        with other.begin():
            lock_for_resolution(other, ["l:201:C1"])  # free again after the holder's commit


def test_lock_ids_are_stable_signed_64_bit_integers() -> None:
    assert lock_id("n:9434765919") == lock_id("n:9434765919") != lock_id("n:9434765920")
    assert all(-(2**63) <= lock_id(f"k{i}") < 2**63 for i in range(100))
