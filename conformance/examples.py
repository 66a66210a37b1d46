"""Running a rule's examples: what the test suite and ``ecm-gateway rules show`` use.

An example passes when the rule, run alone through the engine, reports exactly the canonical paths the
example lists (``""`` for an LA-level issue), and "not evaluated" exactly when the example says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.engine import ActiveRule, Session
from gateway import CheckContext, ChildRecord, Example, PossibleDuplicate, Rule

__all__ = ["ExampleResult", "FixedDirectory", "run_example"]

NOT_EVALUATED_PREFIX = "could not be evaluated"


@dataclass(frozen=True)
class FixedDirectory:
    """A directory lookup that answers the same possible duplicates for every record."""

    answers: Sequence[PossibleDuplicate]

    def possible_duplicates(self, record: ChildRecord) -> Sequence[PossibleDuplicate]:
        return self.answers


@dataclass(frozen=True)
class ExampleResult:
    """What a rule reported on an example."""

    failures: tuple[str, ...]
    not_evaluated: bool

    def matches(self, example: Example) -> bool:
        """True when the rule reported exactly what the example expects."""
        return sorted(self.failures) == sorted(example.fails) and self.not_evaluated == example.not_evaluated


def run_example(rule: Rule, example: Example, parameters: Mapping[str, Any] | None = None) -> ExampleResult:
    """Run ``rule`` alone on ``example`` through the engine."""
    records = [ChildRecord.model_validate(data) for data in example.records]
    context = CheckContext(
        today=example.today,
        format_id=example.format_id,
        reference_date=example.reference_date,
        header_read=example.header_read,
        parameters=dict(parameters or {}),
    )
    directory = FixedDirectory(example.duplicates) if example.duplicates is not None else None
    session = Session([ActiveRule(rule, rule.severity)], context, directory)
    issues = list(session.check_all(records))
    not_evaluated = any(issue.message.startswith(NOT_EVALUATED_PREFIX) for issue in issues)
    failures = tuple(
        issue.canonical_path or "" for issue in issues if not issue.message.startswith(NOT_EVALUATED_PREFIX)
    )
    return ExampleResult(failures, not_evaluated)
