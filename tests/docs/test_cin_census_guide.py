"""The CIN census format guide matches the reader: its rule table lists exactly the rules the reader's code can
emit, its example file is valid and maps as the guide says, each documented mistake gives the documented
issues, its lineage rows are the reader's, and its commands run as printed."""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Final

import pytest
from typer.testing import CliRunner

from adapters.cin_census import synthetic
from adapters.cin_census.census import SUPPORTED_YEARS, census_label
from conformance.profile import builtin_profile_ids
from gateway import ChildRecord
from gateway.cli import app
from tests.adapters.cin_census.support import Events, read_bytes
from tests.docs.guide_code import DOCS

GUIDE = DOCS / "formats" / "cin-census-xml.md"
TEXT = GUIDE.read_text(encoding="utf-8")
PACKAGE = Path(__file__).resolve().parents[2] / "adapters" / "cin_census"
RULE = re.compile(r"(?:read|xsd|map)/[a-z0-9-]+")
DYNAMIC = re.compile(r"(?:read|xsd|map)/")


def _section(start: str, end: str) -> str:
    return TEXT[TEXT.index(start) : TEXT.index(end, TEXT.index(start))]


def _rows(table: str) -> int:
    """The body rows of the markdown table ``table`` starts with (not its heading and separator)."""
    return len(re.findall(r"^\|", table, flags=re.M)) - 2


def _example() -> bytes:
    blocks = re.findall(r"```xml\n(.*?)```", TEXT, flags=re.S)
    assert len(blocks) == 1, "the guide should have exactly one XML example"
    return str(blocks[0]).encode("utf-8")


def _modules(start: str = "reader") -> dict[str, ast.Module]:
    """The reader's module and every ``adapters.cin_census`` module it imports, transitively (not the writer)."""
    found: dict[str, ast.Module] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        tree = found[name] = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        todo += [
            node.module.rsplit(".", 1)[1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("adapters.cin_census.")
        ]
    return found


def _dynamic_kinds(tree: ast.Module) -> set[str]:
    """The ``kind`` of each ``f"xsd/{kind}"`` issue in explanations.py: the first argument of ``ctx.issue(...)``,
    ``kind, template = "...", ...`` assignments and the kinds of the ``_LOG_KINDS`` table."""
    kinds: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "issue":
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant), f"an issue kind that is not a literal: {ast.unparse(node)}"
            kinds.add(str(first.value))
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Tuple)
            and isinstance(node.value, ast.Tuple)
        ):
            for target, value in zip(node.targets[0].elts, node.value.elts, strict=False):
                if isinstance(target, ast.Name) and target.id == "kind" and isinstance(value, ast.Constant):
                    kinds.add(str(value.value))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == "_LOG_KINDS":
                assert isinstance(node.value, ast.Tuple)
                for entry in node.value.elts:
                    assert isinstance(entry, ast.Tuple) and isinstance(entry.elts[1], ast.Constant)
                    kinds.add(str(entry.elts[1].value))
    return kinds


def _emittable() -> set[str]:
    """Every rule id the reader's code can emit: its rule literals, and the kinds of its ``f"xsd/{kind}"`` rules."""
    rules: set[str] = set()
    for name, tree in _modules().items():
        prefixes: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE.fullmatch(node.value):
                rules.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and DYNAMIC.fullmatch(str(head.value)):
                    assert len(node.values) == 2, f"{name}: a rule id this test cannot read: {ast.unparse(node)}"
                    prefixes.add(str(head.value))
        if prefixes:
            kinds = _dynamic_kinds(tree)
            assert kinds, f"{name} builds rule ids from kinds this test cannot find"
            rules |= {prefix + kind for prefix in prefixes for kind in kinds}
    return rules


def test_the_rule_table_lists_exactly_the_rules_the_reader_can_emit() -> None:
    table = _section("| rule | severity | meaning | what to do |", "## Lineage")
    documented = [match for row in re.findall(r"^\| `([^`]+)` \|", table, flags=re.M) for match in RULE.findall(row)]
    assert len(documented) == len(set(documented)), "a rule is documented twice"
    emittable = _emittable()
    assert len(emittable) > 20  # the scan found the reader's rules at all
    assert sorted(emittable - set(documented)) == [], "rules the reader emits that the guide does not document"
    assert sorted(set(documented) - emittable) == [], "rules the guide documents that the reader cannot emit"


def test_the_documented_years_and_profiles_are_the_gateways() -> None:
    assert f"{census_label(SUPPORTED_YEARS[0])} to {census_label(SUPPORTED_YEARS[-1])}" in TEXT.split("\n## ")[0]
    named = set(re.findall(r"`(cin-census-\d{4}-\d{2})`", TEXT))
    assert named and named <= set(builtin_profile_ids())


def test_the_example_is_valid_and_maps_as_documented() -> None:
    events = read_bytes(_example(), name="example.xml")
    assert events.issues == []
    assert events.header.format_version == "2024-25"
    assert events.header.details["schema"] == "CIN_schema_2025.xsd"
    (record,) = events.records
    assert record.child.local_ids[0].la_code == "201" and record.child.sex == "F"
    assert [episode.episode_id for episode in record.cin_episodes] == ["201/GUIDE0001/cin1"]
    (assessment,) = record.assessments
    assert assessment.assessment_id == "201/GUIDE0001/cin1/assessment1" and assessment.kind == "single"
    assert assessment.child_seen_known is False
    assert assessment.completed_date == assessment.authorised_date is not None
    assert assessment.factors == ("2B", "3B")
    assert [enquiry.enquiry_id for enquiry in record.section47_enquiries] == ["201/GUIDE0001/cin1/s47-1"]
    assert [plan.plan_id for plan in record.child_protection_plans] == ["201/GUIDE0001/cin1/cpp1"]
    episodes = {part.episode_id for part in record.assessments}
    episodes |= {part.episode_id for part in record.section47_enquiries}
    episodes |= {part.episode_id for part in record.child_protection_plans}
    assert episodes == {"201/GUIDE0001/cin1"}


def _mistakes() -> list[tuple[str, str, str]]:
    table = _section("| change | issues |", "## Issues")
    rows = re.findall(r"^\| `([^`]+)` → `([^`]+)` \| (.+) \|$", table, flags=re.M)
    assert len(rows) == _rows(table), "a row of the mistakes table this test cannot read"
    return rows


_CLAIMS: dict[str, tuple[str, Callable[[ChildRecord], bool]]] = {
    # what a row says of the record, beyond its issues (keyed by the row's new text): its words, and their check
    "<GenderCurrent>2</GenderCurrent>": ("the sex is left unset", lambda record: record.child.sex is None),
    "<Ethnicity>MWBX</Ethnicity>": (
        "the code is kept for the DfE rule",
        lambda record: record.child.ethnicity is not None and record.child.ethnicity.code == "MWBX",
    ),
    "<CINreferralDate>2024-08-32": (
        "the referral date is left unset",
        lambda record: record.cin_episodes[0].referral_date is None,
    ),
    "<AssessmentFactors>99Z</AssessmentFactors>": (
        "the factor is left out, `2B` kept",
        lambda record: record.assessments[0].factors == ("2B",),
    ),
    "<NumberOfPreviousCPP>-1</NumberOfPreviousCPP>": (
        "`previous_plans` left unset",
        lambda record: record.child_protection_plans[0].previous_plans is None,
    ),
    "<LAchildID></LAchildID>": ("the child has no local id", lambda record: record.child.local_ids == ()),
    "<PersonBirthDate>2014-<!-- checked -->06-02": (
        "the date reads `2014-06-02`",
        lambda record: record.child.birth_date == date(2014, 6, 2),
    ),
}
_CLAIMED: Final = re.compile(r"left unset|left out|is kept|reads `|no local id")


@pytest.mark.parametrize(("old", "new", "said"), _mistakes(), ids=lambda value: str(value)[:30])
def test_each_documented_mistake_gives_the_documented_issues(old: str, new: str, said: str) -> None:
    example = _example()
    assert example.count(old.encode()) == 1, f"{old!r} is not once in the example"
    events: Events = read_bytes(example.replace(old.encode(), new.encode()), name="example.xml")
    rules = [] if said.startswith("none") else RULE.findall(said)
    assert sorted(set(events.rules())) == sorted(rules), events.located()
    warned = set(re.findall(r"`((?:read|xsd|map)/[a-z0-9-]+)` \(warning\)", said))
    assert {issue.rule for issue in events.issues if issue.severity == "warning"} == warned, events.located()
    assert {issue.rule for issue in events.issues if issue.severity == "error"} == set(rules) - warned
    if _CLAIMED.search(said):  # what the row says of the record is checked too
        assert new in _CLAIMS, f"the row for {new!r} says what happens to the record: add its check"
    if new in _CLAIMS:
        words, check = _CLAIMS[new]
        assert words in said, f"the row for {new!r} no longer says {words!r}: update its check"
        assert len(events.records) == 1 and check(events.records[0]), said


def test_the_documented_lineage_is_the_readers() -> None:
    table = _section("| canonical field | line | path | step |", "`ecm-gateway explain FILE")
    rows = re.findall(r"^\| `(/[^`]+)` \| (\d+) \| `([^`]+)` \| `([^`]+)` \|$", table, flags=re.M)
    assert len(rows) == _rows(table), "a row of the lineage table this test cannot read"
    (record,) = read_bytes(_example(), name="example.xml").records
    sources = {entry.field: entry for entry in record.lineage}
    for field, line, path, step in rows:
        entry = sources[field]
        assert (entry.source.line, entry.source.path, entry.step) == (int(line), path, step), field


def test_the_documented_commands_run_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = re.findall(r"```console\n(.*?)```", TEXT, flags=re.S)
    assert len(block) == 1
    commands = [shlex.split(line[2:]) for line in block[0].splitlines() if line.startswith("$ ")]
    assert len(commands) == 5
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in commands:
        if command[:3] == ["python", "-m", "adapters.cin_census.synthetic"]:
            synthetic.main(command[3:])
        else:
            assert command[0] == "ecm-gateway", command
            result = runner.invoke(app, command[1:])
            assert result.exit_code == 0, (command, result.output)
    assert len((tmp_path / "children.jsonl").read_text(encoding="utf-8").splitlines()) == 20
    assert (tmp_path / "report.json").stat().st_size > 0
