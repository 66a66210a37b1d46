"""The rule API: rules, rule packs and the directory lookup they may use (re-exported from ``gateway``).

Built-in packs (``conformance``) and plugin packs are written against this API alone and registered
through ``Plugin.rule_packs``.
"""

from gateway.rules.directory import DirectoryLookup, PossibleDuplicate
from gateway.rules.pack import RulePack, load_package_rules
from gateway.rules.rule import (
    SEVERITY_OF,
    CheckContext,
    DirectoryRule,
    Entry,
    Example,
    Finding,
    NotEvaluated,
    Outcome,
    RecordPart,
    RecordRule,
    Rule,
    RuleDoc,
    Strength,
    SubmissionRule,
    fails,
    passes,
    rule_file_stem,
)

__all__ = [
    "SEVERITY_OF",
    "CheckContext",
    "DirectoryLookup",
    "DirectoryRule",
    "Entry",
    "Example",
    "Finding",
    "NotEvaluated",
    "Outcome",
    "PossibleDuplicate",
    "RecordPart",
    "RecordRule",
    "Rule",
    "RuleDoc",
    "RulePack",
    "Strength",
    "SubmissionRule",
    "fails",
    "load_package_rules",
    "passes",
    "rule_file_stem",
]
