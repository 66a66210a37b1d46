"""The synthetic CIN census generator: clean by DfE's rules for its census year, and wrong exactly where asked."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from adapters.cin_census import CinCensusReader
from adapters.cin_census.census import SUPPORTED_YEARS
from adapters.cin_census.synthetic import ERROR_KINDS, InjectedError, generate_records, write_file
from adapters.cin_census.writer import CinCensusWriter
from conformance.catalogue import builtin_catalogue
from conformance.profile import load_profile
from conformance.runner import SubmissionCheck, check_submission
from gateway import SourceFile

# census end year -> the profile of that year's DfE rules
PROFILES = {2024: "cin-census-2023-24", 2025: "cin-census-2024-25", 2026: "cin-census-2025-26"}
# LA-level queries that need a return of some size (8 different disability codes, 2% of children)
STATISTICAL = {"cin/2886Q", "cin/2887Q", "cin/2888Q"}


def _check(path: Path, year: int) -> SubmissionCheck:
    resolved = load_profile(PROFILES[year]).resolve(builtin_catalogue())
    return check_submission([SourceFile.from_path(path)], CinCensusReader(), resolved, today=date(year, 3, 31))


def _found(result: SubmissionCheck) -> Counter[tuple[str, str | None]]:
    """(rule, LA child id) of every error and warning: information ('not evaluated') is not a finding."""
    return Counter((issue.rule, issue.child) for issue in result.issues if issue.severity != "information")


def _injected(mistakes: list[InjectedError]) -> Counter[tuple[str, str | None]]:
    return Counter((mistake.rule, mistake.child) for mistake in mistakes)


@pytest.mark.parametrize("year", sorted(PROFILES))
@pytest.mark.parametrize("seed", [1, 2])
def test_a_default_file_passes_every_rule_of_its_census_year(tmp_path: Path, year: int, seed: int) -> None:
    path = tmp_path / "cin.xml"
    assert write_file(path, 400, year=year, seed=seed) == []
    result = _check(path, year)
    assert result.records == 400
    assert [i for i in result.issues if i.severity == "error"] == []
    assert [i for i in result.issues if i.severity == "warning"] == []  # no query either


def test_the_default_file_has_the_casework_the_benches_need() -> None:
    records = list(generate_records(1000, year=2025, seed=1))
    episodes = [episode for record in records for episode in record.cin_episodes]
    assert sum(len(record.cin_episodes) > 1 for record in records) > 100
    assert 0.25 < sum(episode.closure_date is None for episode in episodes) / len(episodes) < 0.6
    assert any(episode.referral_nfa for episode in episodes)
    assert sum(len(record.assessments) for record in records) > 900
    assert any(a.authorised_date is None for record in records for a in record.assessments)
    assert sum(len(record.section47_enquiries) for record in records) > 100
    assert sum(len(record.child_protection_plans) for record in records) > 80
    assert any(plan.end_date is None for record in records for plan in record.child_protection_plans)
    assert sum(len(record.cin_plans) for record in records) > 200
    assert any(record.child.birth_date is None for record in records)  # unborn children
    assert any(record.child.death_date is not None for record in records)


def test_a_small_file_raises_only_the_statistical_la_level_queries(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    write_file(path, 4, year=2025, seed=2)
    found = {rule for rule, _ in _found(_check(path, 2025))}
    assert found
    assert found <= STATISTICAL


@pytest.mark.parametrize("year", sorted(PROFILES))
def test_the_issues_found_are_exactly_the_injected_mistakes(tmp_path: Path, year: int) -> None:
    path = tmp_path / "cin.xml"
    injected = write_file(path, 600, year=year, seed=3, errors=0.05)
    assert 15 <= len(injected) <= 50
    assert len({mistake.rule for mistake in injected}) >= 5
    assert _found(_check(path, year)) == _injected(injected)


@pytest.mark.parametrize("year", sorted(PROFILES))
def test_every_kind_of_mistake_is_made_and_found_alone(tmp_path: Path, year: int) -> None:
    path = tmp_path / "cin.xml"
    injected = write_file(path, 800, year=year, seed=4, errors=1.0)
    result = _check(path, year)
    assert _found(result) == _injected(injected)
    made = {mistake.rule for mistake in injected}
    new_in_2024_25 = {"cin/1570", "cin/1580", "cin/8945Q"}
    assert made == {kind.rule for kind in ERROR_KINDS} - (new_in_2024_25 if year == 2024 else set())
    severities = {issue.severity for issue in result.issues if issue.rule in made}
    assert severities == {"error", "warning"}  # MUST and SHOULD rules both


def test_mistakes_leave_the_other_children_as_they_were() -> None:
    injected: list[InjectedError] = []
    dirty = list(generate_records(300, year=2025, seed=5, errors=0.1, injected=injected))
    clean = list(generate_records(300, year=2025, seed=5))
    changed = {index + 1 for index, (a, b) in enumerate(zip(dirty, clean, strict=True)) if a != b}
    assert changed == {mistake.position for mistake in injected}
    assert all(dirty[m.position - 1].child.local_ids[0].la_child_id == m.child for m in injected)
    assert len(changed) == len(injected) > 0


def test_the_same_seed_writes_the_same_file(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    assert write_file(first, 200, seed=9, errors=0.1) == write_file(second, 200, seed=9, errors=0.1)
    write_file(other, 200, seed=10, errors=0.1)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_year_stays_schema_valid_with_mistakes(year: int) -> None:
    written = CinCensusWriter(census_year=year, la_code="201").write_document(
        generate_records(150, year=year, seed=year, errors=0.3)
    )
    assert written.issues == ()  # nothing the year's schema refuses had to be left out


def test_errors_is_a_share(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="share"):
        write_file(tmp_path / "cin.xml", 10, errors=1.5)
    assert not (tmp_path / "cin.xml").exists()
    with pytest.raises(ValueError, match="share"):
        next(generate_records(10, errors=-0.1))
