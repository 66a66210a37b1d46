"""The SQL candidate index, on SQLite and PostgreSQL: the same candidates as the in-memory index."""

from __future__ import annotations

from datetime import date

from gateway.matching import InMemoryIndex, Matcher, SqlIndex
from gateway.matching.blocking import query_keys
from gateway.matching.synthetic import HARD, generate
from gateway.storage import Database
from tests.gateway.matching.helpers import child, prepared


def test_add_get_replace_and_remove(database: Database) -> None:
    index = SqlIndex(database)
    record = child("a", nhs="9434765919")
    index.add(prepared(record))
    assert len(index) == 1
    assert index.get("a") == record
    index.add(prepared(child("a", given="Jack", birth=date(2016, 1, 1))))
    assert len(index) == 1
    assert [
        c.record_id for c in index.candidates(query_keys(prepared(child("q", given="Jack", birth=date(2016, 1, 1)))))
    ] == ["a"]
    index.remove("a")
    assert len(index) == 0
    assert index.get("a") is None


def test_candidates_equal_the_in_memory_index(database: Database) -> None:
    data = generate(HARD, 150, seed=4)
    sql, memory = SqlIndex(database), InMemoryIndex()
    records = [prepared(r) for r in data.records]
    sql.add_many(records[:-20])
    for record in records[:-20]:
        memory.add(record)
    found = 0
    for record in records[-20:]:
        keys = query_keys(record)
        assert {c.record_id for c in sql.candidates(keys)} == {c.record_id for c in memory.candidates(keys)}
        assert {c.record for c in sql.candidates(keys)} == {c.record for c in memory.candidates(keys)}
        found += bool(sql.candidates(keys))
    assert found > 10  # most queries find someone: two empty answers would agree without showing anything


def test_blocks_larger_than_the_limit_are_skipped(database: Database) -> None:
    index = SqlIndex(database)
    for number in range(5):
        index.add(prepared(child(f"r{number}", given=f"Name{number}x", family=f"Fam{number}q", postcode="LS6 1AT")))
    keys = ("p:LS61AT",)
    assert len(index.candidates(keys, max_block=5)) == 5
    assert index.candidates(keys, max_block=4) == []


def test_matcher_on_the_sql_index(database: Database) -> None:
    matcher = Matcher(SqlIndex(database))
    matcher.add(child("a", nhs="9434765919"))
    matcher.add(child("b", given="Ruby", family="Jones", birth=date(2010, 1, 1), postcode="M14 5QT"))
    found = matcher.match(child("c", given="Olly", nhs="9434765919"))
    assert [(r.candidate_id, r.grade) for r in found] == [("a", "certain")]


def test_a_record_changed_by_another_process_is_not_served_from_the_cache(database: Database) -> None:
    reader, writer = SqlIndex(database), SqlIndex(database)
    writer.add(prepared(child("a", nhs="9434765919")))
    keys = ("n:9434765919",)
    assert [c.record.names[0].given for c in reader.candidates(keys)] == [("Oliver",)]
    writer.add(prepared(child("a", given="Jack", nhs="9434765919")))
    assert [c.record.names[0].given for c in reader.candidates(keys)] == [("Jack",)]
