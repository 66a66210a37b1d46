"""cin/1560Q: a former UPN has the shape of a UPN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_UPN_SHAPE: Final = re.compile(r"[A-Z][0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]")


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, former in enumerate(child_record.child.former_upns):
        if _UPN_SHAPE.fullmatch(former) is None:
            yield Finding(f"/child/former_upns/{index}")


RULE = RecordRule(
    id="cin/1560Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Please check and either amend or provide a reason: Former UPN wrongly formatted",
    fields=("/child/former_upns",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "Every former UPN is 13 characters: a letter, eleven digits, and a digit or a UPN letter (a temporary "
            "UPN). The check letter itself is not recalculated for former UPNs."
        ),
        why="Former UPNs link the child to earlier school records; a badly formed one links to nothing.",
        fix="Correct the former UPN, or remove it if it is not known.",
    ),
    examples=(
        passes("temporary former UPN", record({"former_upns": ["X00180001701A"]})),
        fails("too short", record({"former_upns": ["X0018000170"]}), at=["/records/0/child/former_upns/0"]),
    ),
)
