"""The directory store (ContactPoint's data set): consumes routed events, answers practitioners' questions.

Importing this package pulls in SQLAlchemy; ``import gateway`` does not.
"""

from gateway.directory.search import DirectoryQuery, SearchHit, SearchResult
from gateway.directory.store import BREAK_GLASS_MIN_REASON, BrokenGlass, DirectoryStore, InvolvementStart

__all__ = [
    "BREAK_GLASS_MIN_REASON",
    "BrokenGlass",
    "DirectoryQuery",
    "DirectoryStore",
    "InvolvementStart",
    "SearchHit",
    "SearchResult",
]
