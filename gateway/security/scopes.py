"""What an authenticated client may do. Scopes are granted per client and checked per route."""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["SCOPES", "Scope"]

Scope = Literal["submit", "validate", "read:directory", "read:caf", "operate", "review:duplicates"]
SCOPES: Final[dict[Scope, str]] = {
    "submit": "send messages for the client's own councils (POST /v1/messages)",
    "validate": "run conformance checks without storing anything (POST /v1/$validate)",
    "read:directory": "search and read the directory (ContactPoint data set)",
    "read:caf": "read CAF assessments shared with the client's organisation under consent",
    "operate": "operator actions: replay, ledger, client management",
    "review:duplicates": (
        "list, open and decide possible duplicate children of the client's own councils (/v1/reviews); "
        "decisions, unmerges and reversals only by a named person (the act claim)"
    ),
}
