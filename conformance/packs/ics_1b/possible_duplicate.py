"""ics-1b/possible-duplicate: a child who may already be in the directory goes to review before a new record is made."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import (
    CheckContext,
    ChildRecord,
    DirectoryLookup,
    DirectoryRule,
    Finding,
    Outcome,
    PossibleDuplicate,
    RuleDoc,
    fails,
    passes,
)

__all__ = ["RULE"]

_RECORD = {"child": {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}}


def _check(record: ChildRecord, context: CheckContext, directory: DirectoryLookup) -> Iterator[Outcome]:
    if record.child.child_id is not None:
        return  # already linked to its directory record
    candidates = [item for item in directory.possible_duplicates(record) if item.decision == "review"]
    if candidates:
        yield Finding("/child", f"{len(candidates)} possible match(es) to review")


RULE = DirectoryRule(
    id="ics-1b/possible-duplicate",
    pack="ics-1b",
    strength="SHOULD",
    message="the child may already be in the directory: send to review before a new record is created",
    fields=("/child",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "Asks the directory (duplicate matching) for children who may be this child. A record not yet linked "
            "to a directory child, with a possible match that needs a person's decision, is reported. Without a "
            "directory lookup the rule is reported as not evaluated."
        ),
        why=(
            "When several files exist for one child, each practitioner sees only part of the picture - 'without "
            "it, you are running an enormous risk'. Councils may raise this rule to MUST in their profile."
        ),
        fix="Review the possible matches and link the record to the right child, or confirm it is a new child.",
    ),
    examples=(
        passes("no possible match", _RECORD, duplicates=()),
        passes(
            "already linked to its directory record",
            {"child": {**_RECORD["child"], "child_id": "g-1"}},
            duplicates=(PossibleDuplicate("g-1", 0.99, "link"),),
        ),
        fails(
            "a possible match to review",
            _RECORD,
            duplicates=(PossibleDuplicate("g-7", 0.8, "review"),),
            at=["/records/0/child"],
        ),
        passes("no directory lookup configured", _RECORD, not_evaluated=True),
    ),
)
