"""Identity resolution in the pipeline: step 5, *match*, between *check* and *route*.

Every record of an accepted message is matched against the directory's identity index (the
:class:`~gateway.matching.review.ReviewQueue` on the gateway database) before it is routed:

* ``certain`` match with a child -> the record carries that child's gateway id (``child.child_id``) and
  updates that child's directory record;
* no match -> a new, stable gateway child id, and the record joins the index;
* a ``purge`` flag -> the record is matched only to find its child (the purge is routed under that child
  id), and the child — every record linked to it — is then deleted from the match index, so it is never
  matched again (:mod:`gateway.matching.purge`);
* ``probable`` / ``possible`` match -> the record is **held**: it goes to the review queue, the message is
  still accepted, but the record sends nothing to the directory or the CAF store (``ProcessResult.held``)
  until a person decides (:mod:`gateway.routing.release` sends it then). The supplier is told with an
  information issue ``match/held-for-review``.

The conformance rule ``ics-1b/possible-duplicate`` asks the same question before routing through
:meth:`IdentityResolver.lookup` (read-only). It is a SHOULD in ``ics-1b``: a warning, the message is
accepted and the record held. Where a council's profile raises it to MUST, the message is rejected; its
possible duplicates are still put before a person (when they are the *only* errors), and once the person
has decided, the supplier's next message is accepted with the decided child id.

A record's id in the index is stable across a supplier's messages: a digest of the supplier, the LA number
and the LA child id (no identifier in clear), so a resend or an update of the same record is recognised and
keeps its link and its decisions (:func:`record_id_for`; a record without an LA child id is known by a
digest of who it says the child is).
Supplier-sent ``child_id`` values are never trusted: resolution sets or clears every record's child id.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import orjson

from gateway.matching.record import identity_from_child_record, identity_to_dict
from gateway.matching.review import Resolution, ReviewQueue
from gateway.model import CanonicalMessage, ChildRecord, Envelope, Issue, SourceLocation
from gateway.pipeline import ProcessResult
from gateway.rules.directory import PossibleDuplicate

__all__ = ["HELD_FOR_REVIEW", "IdentityResolver", "ResolutionLookup", "record_id_for"]

log = logging.getLogger(__name__)

HELD_FOR_REVIEW: Final = "match/held-for-review"
"""Rule id of the information issue that tells a supplier a record is held for a person's review."""

_HELD_MESSAGE: Final = (
    "this child may already be in the directory under another record: the possible match is queued for a "
    "person to review, and no directory record is created for this record until they decide"
)
_RECORD_PATH = re.compile(r"^/records/(\d+)(?:/|$)")


def record_id_for(envelope: Envelope, record: ChildRecord) -> str:
    """The index id of a supplier's record, stable across the supplier's messages: a digest of the supplier,
    the LA number and the LA child id — or, for a record without an LA child id, of the supplier and who the
    record says the child is (the same record sent again is then recognised, not queued against itself)."""
    if record.child.local_ids:
        local = record.child.local_ids[0]
        basis = f"{envelope.supplier_id}\x00{local.la_code}\x00{local.la_child_id.strip().upper()}"
        return "src-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]
    identity = identity_to_dict(identity_from_child_record(record, ""))
    basis = envelope.supplier_id + "\x00" + orjson.dumps(identity, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    return "idn-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]


def _location(record: ChildRecord) -> SourceLocation | None:
    for source in record.lineage:
        if source.field == "/child" or source.field.startswith("/child/"):
            return source.source
    return None


def _held_issue(record: ChildRecord, position: int) -> Issue:
    return Issue(
        rule=HELD_FOR_REVIEW,
        severity="information",
        message=_HELD_MESSAGE,
        location=_location(record),
        canonical_path=f"/records/{position}/child",
        child=record.child.local_ids[0].la_child_id if record.child.local_ids else None,
    )


def _with_child_id(record: ChildRecord, child_id: str | None) -> ChildRecord:
    if record.child.child_id == child_id:
        return record
    return record.model_copy(update={"child": record.child.model_copy(update={"child_id": child_id})})


@dataclass(frozen=True)
class IdentityResolver:
    """The intake's match step (:class:`gateway.intake.Resolver`) over a review queue.

    ``review_rule`` is the id of the possible-duplicate conformance rule: a message rejected by that rule
    alone (a profile made it MUST) still has its possible duplicates put before a person.
    """

    queue: ReviewQueue
    review_rule: str | None = None

    def lookup(self, message: CanonicalMessage) -> ResolutionLookup:
        """The conformance check's directory lookup for ``message`` (read-only)."""
        return ResolutionLookup(self.queue, message)

    def resolve(self, result: ProcessResult) -> ProcessResult:
        """Link, create or hold every record of an accepted message (see the module doc); records decisions."""
        return self._run(result, commit=True)

    def preview(self, result: ProcessResult) -> ProcessResult:
        """What :meth:`resolve` would do, writing nothing (for dry runs; a new child keeps no child id)."""
        return self._run(result, commit=False)

    def _positions(self, result: ProcessResult) -> Sequence[int]:
        """The records to resolve: all of an accepted message; of a message rejected only by the
        possible-duplicate rule, the records it flagged; otherwise none."""
        records = result.message.records
        if result.outcome == "accepted":
            return range(len(records))
        errors = [issue for issue in result.message.issues if issue.severity == "error"]
        if self.review_rule is None or not errors or any(issue.rule != self.review_rule for issue in errors):
            return ()
        flagged = {
            int(found.group(1))
            for issue in errors
            if issue.canonical_path and (found := _RECORD_PATH.match(issue.canonical_path))
        }
        return sorted(position for position in flagged if position < len(records))

    def _run(self, result: ProcessResult, *, commit: bool) -> ProcessResult:
        positions = self._positions(result)
        if not positions:
            return result
        message = result.message
        envelope = message.envelope
        accepted = result.outcome == "accepted"
        records = list(message.records)
        identities = {
            position: identity_from_child_record(
                records[position], record_id_for(envelope, records[position]), source=envelope.supplier_id
            )
            for position in positions
        }
        # a purge creates nothing and queues nothing: it only needs to know the child
        purges = [position for position in positions if records[position].purge]
        others = [position for position in positions if not records[position].purge]
        resolutions = dict(zip(purges, self.queue.preview_many([identities[p] for p in purges]), strict=True))
        if commit and accepted and purges:  # the purged child is never matched (or linked to) again
            children = {r.child_id for r in resolutions.values() if r.child_id and not r.child_id.startswith("new:")}
            self.queue.forget(children, [identities[p].record_id for p in purges])
        if commit:
            holds = [(envelope.message_id, position) if accepted else None for position in others]
            found = self.queue.resolve_many([identities[p] for p in others], held_in=holds)
        else:
            found = self.queue.preview_many([identities[p] for p in others])
        resolutions.update(zip(others, found, strict=True))
        held: list[int] = []
        issues: list[Issue] = []
        for position in positions:
            resolution = resolutions[position]
            if _awaits_review(resolution) and not records[position].purge:
                held.append(position)
                issues.append(_held_issue(records[position], position))
            records[position] = _with_child_id(records[position], resolution.child_id)
        if held:
            log.info("records held for review", extra={"message_id": envelope.message_id, "records": len(held)})
        updated = message.model_copy(update={"records": tuple(records), "issues": (*message.issues, *issues)})
        return ProcessResult(message=updated, outcome=result.outcome, duplicate=result.duplicate, held=tuple(held))


def _awaits_review(resolution: Resolution) -> bool:
    """No child id yet, and not because the record would be a new child or one a batch is about to create."""
    return resolution.child_id is None and resolution.outcome in ("review", "known")


class ResolutionLookup:
    """The possible-duplicate rule's view of identity resolution, for the records of one message.

    It answers as resolution will decide — what the rule reports is what then happens — including the
    record's own history (a record already linked by a person's decision is ``link``; one still awaiting a
    person is ``review``; pairs a person has decided are not asked again) and the message's earlier records.
    The whole message is previewed at the first question, in a few queries.
    """

    def __init__(self, queue: ReviewQueue, message: CanonicalMessage) -> None:
        self._queue = queue
        self._message = message
        self._positions = {id(record): position for position, record in enumerate(message.records)}
        self._previews: list[Resolution] | None = None

    def _preview(self, record: ChildRecord) -> Resolution:
        position = self._positions.get(id(record))
        envelope = self._message.envelope
        if position is None:  # not a record of this message: asked on its own
            return self._queue.preview(identity_from_child_record(record, record_id_for(envelope, record)))
        if self._previews is None:
            self._previews = self._queue.preview_many(
                [
                    identity_from_child_record(r, record_id_for(envelope, r), source=envelope.supplier_id)
                    for i, r in enumerate(self._message.records)
                ]
            )
        return self._previews[position]

    def possible_duplicates(self, record: ChildRecord) -> list[PossibleDuplicate]:
        resolution = self._preview(record)
        if resolution.outcome == "new":
            return []
        if resolution.child_id is not None or resolution.outcome == "linked":
            certain = [m for m in resolution.matches if m.grade == "certain"]
            child_id = resolution.child_id or (certain[0].candidate_id if certain else resolution.record_id)
            return [PossibleDuplicate(child_id, max((m.weight for m in certain), default=0.0), "link")]
        children = resolution.candidate_children
        found: dict[str, PossibleDuplicate] = {}
        for match in resolution.matches:  # best first
            child_id = children.get(match.candidate_id) or match.candidate_id
            found.setdefault(child_id, PossibleDuplicate(child_id, match.weight, "review"))
        return list(found.values())
