"""Candidate indexes: records stored under their blocking keys, so matching one record reads a few small
blocks instead of the whole directory.

:class:`CandidateIndex` is the interface; :class:`InMemoryIndex` keeps everything in dictionaries (the CLI
and the benchmark); :class:`gateway.matching.store.SqlIndex` keeps the keys in SQL tables beside the
directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Protocol, runtime_checkable

from gateway.matching.blocking import index_keys
from gateway.matching.features import PreparedRecord

__all__ = ["DEFAULT_MAX_BLOCK", "CandidateIndex", "InMemoryIndex"]

DEFAULT_MAX_BLOCK: Final = 5000
"""Blocks larger than this are not read when looking candidates up (a postcode shared by a children's home,
a placeholder birth date): they would cost more than they find. Other keys still find the match."""


@runtime_checkable
class CandidateIndex(Protocol):
    """Where records wait to be matched."""

    def add(self, record: PreparedRecord) -> None:
        """Store (or replace) a record under its blocking keys."""
        ...

    def remove(self, record_id: str) -> None:
        """Forget a record (nothing happens when it is unknown)."""
        ...

    def candidates(self, keys: Sequence[str], *, max_block: int = DEFAULT_MAX_BLOCK) -> list[PreparedRecord]:
        """The distinct records stored under any of ``keys``, skipping blocks larger than ``max_block``."""
        ...

    def __len__(self) -> int: ...


class InMemoryIndex:
    """Blocks in a dictionary; a singleton block is the record id itself (most identifier keys are)."""

    def __init__(self, records: Iterable[PreparedRecord] = ()) -> None:
        self._records: dict[str, PreparedRecord] = {}
        self._blocks: dict[str, str | list[str]] = {}
        for record in records:
            self.add(record)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[PreparedRecord]:
        return iter(self._records.values())

    def get(self, record_id: str) -> PreparedRecord | None:
        return self._records.get(record_id)

    def add(self, record: PreparedRecord) -> None:
        record_id = record.record_id
        if record_id in self._records:
            self.remove(record_id)
        self._records[record_id] = record
        blocks = self._blocks
        for key in index_keys(record):
            block = blocks.get(key)
            if block is None:
                blocks[key] = record_id
            elif isinstance(block, str):
                blocks[key] = [block, record_id]
            else:
                block.append(record_id)

    def remove(self, record_id: str) -> None:
        record = self._records.pop(record_id, None)
        if record is None:
            return
        for key in index_keys(record):
            block = self._blocks.get(key)
            if block == record_id:
                del self._blocks[key]
            elif isinstance(block, list):
                block.remove(record_id)
                if len(block) == 1:
                    self._blocks[key] = block[0]

    def block_size(self, key: str) -> int:
        block = self._blocks.get(key)
        return 0 if block is None else 1 if isinstance(block, str) else len(block)

    def candidates(self, keys: Sequence[str], *, max_block: int = DEFAULT_MAX_BLOCK) -> list[PreparedRecord]:
        found: set[str] = set()
        blocks = self._blocks
        for key in keys:
            block = blocks.get(key)
            if block is None:
                continue
            if isinstance(block, str):
                found.add(block)
            elif len(block) <= max_block:
                found.update(block)
        records = self._records
        return [records[record_id] for record_id in found]
