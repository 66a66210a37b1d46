"""The resources of one submission, indexed so references between them resolve.

A submission may be one Bundle, several Bundles, or single resources in separate files (the UK Core
examples are published that way): all of them go into one pool, and a reference resolves against any
file of the submission. An absolute reference (``urn:uuid:...``, ``https://...``) resolves only to the
entry with exactly that ``fullUrl`` (anything else is external and is never fetched); a relative
``Type/id`` to the resource with that type and id, or whose absolute ``fullUrl`` ends in it; ``#id`` to
the referencing resource's ``contained`` resource. Logical references (``Reference.identifier`` only) do
not resolve to a resource; callers read their identifier.
"""

from __future__ import annotations

import re
from typing import Any, Final

from adapters.fhir.context import Entry
from adapters.fhir.datatypes import dict_items

__all__ = ["ResourcePool"]

_RELATIVE: Final = re.compile(r"([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?")
_FULL_URL_TAIL: Final = re.compile(r"/([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
_ABSOLUTE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class ResourcePool:
    """Every mappable resource of a submission, by type and by the keys references use."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._keys: dict[str, Entry] = {}

    def add(self, entry: Entry) -> bool:
        """Add ``entry``; False when its ``fullUrl`` or ``Type/id`` is already taken (the first one wins)."""
        keys = self._keys_of(entry)
        if any(key in self._keys for key in keys):
            return False
        for key in keys:
            self._keys[key] = entry
        self.entries.append(entry)
        return True

    def of_type(self, resource_type: str) -> list[Entry]:
        """Entries of one resource type, in submission order."""
        return [entry for entry in self.entries if entry.resource_type == resource_type]

    def resolve(self, reference: Any, source: Entry) -> Entry | None:
        """The entry a Reference points at, or ``None`` (absent, logical, or not in the submission)."""
        if not isinstance(reference, dict):
            return None
        target = reference.get("reference")
        if not isinstance(target, str) or not target:
            return None
        if target.startswith("#"):
            return _contained(source.container or source, target[1:])
        found = self._keys.get(target)
        if found is not None or _ABSOLUTE.match(target):
            return found  # an absolute reference must match a fullUrl exactly; otherwise it is external
        match = _RELATIVE.fullmatch(target)
        return self._keys.get(match.group(1)) if match else None

    @staticmethod
    def _keys_of(entry: Entry) -> list[str]:
        keys = []
        if entry.full_url:
            keys.append(entry.full_url)
            tail = _FULL_URL_TAIL.search(entry.full_url)
            if tail and not entry.full_url.startswith("urn:"):
                keys.append(tail.group(1))
        if entry.id:
            relative = f"{entry.resource_type}/{entry.id}"
            if relative not in keys:
                keys.append(relative)
        return keys


def _contained(container: Entry, wanted: str) -> Entry | None:
    for index, resource in dict_items(container.resource.get("contained")):
        if resource.get("id") == wanted:
            return Entry(
                resource=resource,
                file=container.file,
                pointer=container.at(f"/contained/{index}"),
                container=container,
            )
    return None
