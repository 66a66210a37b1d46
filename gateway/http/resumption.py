"""Finishing asynchronous submissions that a stopped process left unfinished.

A submission answered ``202`` is received (payload committed) before the answer, then processed in the
background pool. If the process dies before the outcome is recorded (kill -9, out of memory, a deploy), the
submission stays ``queued`` or ``processing`` and its message ``received``. Every HTTP process therefore
*sweeps* when it starts and then every :data:`SWEEP_INTERVAL` seconds (:class:`Sweeper`):

1. **find** submissions still ``queued``/``processing`` whose message is still only ``received`` and whose
   state has not moved for :data:`RESUME_AFTER` (so one a live worker is processing now is left alone), and
   that this process's own pool does not hold;
2. **claim** each with one conditional ``UPDATE`` (state still open, not moved since the cutoff, message
   still ``received``): on SQLite and PostgreSQL exactly one worker wins it, however many sweep at once. The
   claim writes the status history row ``resumed`` and an audit entry (``message.resume`` by
   ``system:resume``) in its transaction. A submission already resumed :data:`MAX_RESUMPTIONS` times (one
   that keeps killing the process) is settled ``failed`` instead, audited ``abandoned``; replay it;
3. **process** it from the stored payload on the authority the client has *now*: the client is read from
   the registry again. Revoked (or deleted), without the ``submit`` scope, or no longer allowed the council
   the submission names -> ``refused`` with a located issue (``access/client-revoked``,
   ``access/submit-not-permitted``, ``access/la-not-permitted``), nothing routed, the canonical records not
   stored; otherwise exactly the asynchronous path (records of councils the client may no longer submit
   for refuse it, as they would have). The outcome's audit entry names ``system:resume`` as the actor.

Exactly once: the outcome is recorded only while the submission is still open (:func:`gateway.http.states
.settle`), so a slow original worker and a resumption racing on the same message record, route and audit it
once; identity resolution is keyed by record (a second run links the same records to the same children).

Metric ``ecm_http_submissions_resumed_total{outcome}`` (``accepted``, ``rejected``, ``refused``, ``failed``,
``superseded``, ``abandoned``). Logs carry message ids and counts only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from prometheus_client import Counter
from sqlalchemy import Connection, exists, func, insert, select, update

from gateway.audit import AuditEntry
from gateway.http.states import OPEN_STATES, Superseded, settle
from gateway.http.submissions import SubmissionService
from gateway.http.tables import submission_states, submissions
from gateway.intake import UnknownFormat
from gateway.model import Envelope, Issue, SourceLocation
from gateway.security import Client, ClientStore
from gateway.settings import Settings
from gateway.storage.tables import messages

__all__ = [
    "MAX_RESUMPTIONS",
    "RESUME_ACTOR",
    "RESUME_AFTER",
    "SWEEP_INTERVAL",
    "Resumption",
    "Sweeper",
]

log = logging.getLogger(__name__)

RESUME_ACTOR: Final = "system:resume"
"""Who the audit log names for a resumption and for the outcome it records."""
_FIELDS: Final = Settings.model_fields
RESUME_AFTER: Final = timedelta(seconds=float(_FIELDS["http_resume_after"].default))
"""How long a submission's state must have stood still before another process takes it up (well above
the parse timeout plus checking and matching of the largest submission); ``ECM_HTTP_RESUME_AFTER``'s default."""
SWEEP_INTERVAL: Final = float(_FIELDS["http_resume_interval"].default)
"""Seconds between two sweeps of a running process (the first runs when the app starts);
``ECM_HTTP_RESUME_INTERVAL``'s default."""
MAX_RESUMPTIONS: Final = int(_FIELDS["http_resume_attempts"].default)
"""Resumptions of one submission before it is settled ``failed`` (it may be what stops the process);
``ECM_HTTP_RESUME_ATTEMPTS``'s default."""
_BATCH: Final = 500


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Resumed:
    """The authority a resumed submission is processed with: the client as the registry has it now."""

    client: Client
    actor: str | None = RESUME_ACTOR

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def la_codes(self) -> frozenset[str]:
        return self.client.la_codes


class Resumption:
    """Find, claim and finish the open submissions of stopped processes (see the module docstring)."""

    def __init__(
        self,
        service: SubmissionService,
        clients: ClientStore,
        *,
        resume_after: timedelta = RESUME_AFTER,
        max_resumptions: int = MAX_RESUMPTIONS,
        clock: Callable[[], datetime] = _now,
        resumed: Counter | None = None,
    ) -> None:
        self.service = service
        self.clients = clients
        self.resume_after = resume_after
        self.max_resumptions = max_resumptions
        self._clock = clock
        self._resumed = resumed
        self._engine = clients.database.engine

    def stale(self) -> list[str]:
        """Ids of open submissions standing still since before the cutoff whose message is still only
        received, oldest first (at most one batch)."""
        cutoff = self._clock() - self.resume_after
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(submissions.c.message_id)
                .join(messages, messages.c.message_id == submissions.c.message_id)
                .where(
                    submissions.c.state.in_(OPEN_STATES),
                    submissions.c.updated_at < cutoff,
                    messages.c.status == "received",
                )
                .order_by(submissions.c.updated_at, submissions.c.message_id)
                .limit(_BATCH)
            ).scalars()
            return list(rows)

    def claim(self, message_id: str) -> bool:
        """Take ``message_id`` up if it is still open, still standing still and its message still only
        received; True for the one worker that wins it (history ``resumed`` and audit in the same
        transaction). A submission resumed too often is settled ``failed`` instead (False)."""
        return self._claim(message_id) is not None

    def _claim(self, message_id: str) -> str | None:
        """:meth:`claim`, answering the submission's client id when won (``None`` when not)."""
        now = self._clock()
        cutoff = now - self.resume_after
        received = exists().where(messages.c.message_id == message_id, messages.c.status == "received")
        with self._engine.begin() as conn:
            won = conn.execute(
                update(submissions)
                .where(
                    submissions.c.message_id == message_id,
                    submissions.c.state.in_(OPEN_STATES),
                    submissions.c.updated_at < cutoff,
                    received,
                )
                .values(state="processing", updated_at=now)
            ).rowcount
            if not won:
                return None
            client_id = conn.execute(
                select(submissions.c.client_id).where(submissions.c.message_id == message_id)
            ).scalar_one()
            earlier = conn.execute(
                select(func.count())
                .select_from(submission_states)
                .where(submission_states.c.message_id == message_id, submission_states.c.state == "resumed")
            ).scalar_one()
            attempt = int(earlier) + 1
            if attempt > self.max_resumptions:
                settle(conn, message_id, "failed")
                self._audit(conn, message_id, client_id=client_id, outcome="abandoned", attempt=attempt, at=now)
            else:
                conn.execute(insert(submission_states).values(message_id=message_id, state="resumed", at=now))
                self._audit(conn, message_id, client_id=client_id, outcome="claimed", attempt=attempt, at=now)
        if attempt > self.max_resumptions:
            log.error("submission abandoned after repeated resumptions", extra={"message_id": message_id})
            self._count("abandoned")
            return None
        log.warning("resuming a submission left unfinished", extra={"message_id": message_id, "attempt": attempt})
        return str(client_id)

    def sweep(self) -> list[str]:
        """Claim every stale submission this process does not hold and finish each in the background pool
        (here, without one); the ids claimed."""
        claimed: list[str] = []
        background = self.service.background
        for message_id in self.stale():
            if background is not None and background.holds(message_id):
                continue
            client_id = self._claim(message_id)
            if client_id is None:
                continue
            claimed.append(message_id)
            if background is None:
                self.resume(message_id, client_id)
                continue
            try:
                background.run(message_id, self.resume, message_id, client_id)
            except RuntimeError:  # shutting down: claimed, so the next start takes it up after the wait
                break
        return claimed

    def resume(self, message_id: str, client_id: str | None = None) -> str:
        """Finish a claimed submission (see the module docstring); the state it ends in. Never raises.
        ``client_id``: the submission's client as the claim read it (read again when not given)."""
        try:
            state = self._resume(message_id, client_id)
        except Superseded:
            state = "superseded"
        except Exception as exc:
            log.error("resumption failed", extra={"message_id": message_id, "error": type(exc).__name__})
            state = self.service.mark_failed(message_id)
        log.info("resumed submission settled", extra={"message_id": message_id, "outcome": state})
        self._count(state)
        return state

    def _resume(self, message_id: str, client_id: str | None) -> str:
        store = self.service.intake.store
        stored = store.get(message_id)
        if client_id is None:
            with self._engine.connect() as conn:
                client_id = conn.execute(
                    select(submissions.c.client_id).where(submissions.c.message_id == message_id)
                ).scalar_one()
        if stored is None or stored.payload_removed_at is not None:  # a purge removed it: nothing to process
            return self.service.mark_failed(message_id)
        envelope = stored.envelope
        current = self.clients.get(client_id)
        submitter = _Resumed(current or _gone(client_id, envelope))
        sources = store.files(message_id)
        refusal = _refusal(submitter.client, envelope, sources[0].name if sources else None)
        if refusal is not None:
            return self.service.reject(submitter, envelope, [refusal], state="refused")
        registry = self.service.intake.registry
        known = envelope.format_id if envelope.format_id in registry.readers else None
        chosen = self.service.intake.choose_reader(sources, known)
        if isinstance(chosen, UnknownFormat):
            return self.service.reject(submitter, envelope, [chosen.issue])
        return self.service.process_received(submitter, envelope, sources, chosen, claimed=True)

    def _audit(
        self, conn: Connection, message_id: str, *, client_id: str, outcome: str, attempt: int, at: datetime
    ) -> None:
        entry = AuditEntry(
            actor_user=RESUME_ACTOR,
            actor_org="gateway",
            action="message.resume",
            reason="an accepted submission left unfinished by a stopped process",
            outcome=outcome,
            subject=message_id,
            query={"client": client_id, "attempt": attempt},
            result_ids=(message_id,),
        )
        self.service.audit.append(conn, entry, at=at)

    def _count(self, state: str) -> None:
        if self._resumed is not None:
            self._resumed.labels(state).inc()


def _gone(client_id: str, envelope: Envelope) -> Client:
    """A client no longer in the registry: no councils, no scopes, revoked."""
    return Client(
        client_id=client_id,
        name=client_id,
        supplier_id=envelope.supplier_id,
        la_codes=frozenset(),
        scopes=frozenset(),
        revoked=True,
    )


def _refusal(client: Client, envelope: Envelope, first_file: str | None) -> Issue | None:
    """Why the client may no longer submit this message as a whole, or ``None``."""
    where = SourceLocation(file=first_file) if first_file else SourceLocation()
    if client.revoked:
        rule, why = "access/client-revoked", "the client that sent this submission was revoked before it was processed"
    elif "submit" not in client.scopes:
        rule, why = "access/submit-not-permitted", "the client that sent this submission may no longer submit"
    elif envelope.la_code not in client.la_codes:
        rule, why = "access/la-not-permitted", "this client may no longer submit for the council the submission names"
    else:
        return None
    return Issue(rule=rule, severity="error", message=f"{why}; nothing was accepted", location=where)


class Sweeper:
    """Sweeps once when started, then every ``interval`` seconds in a daemon thread until stopped."""

    def __init__(self, resumption: Resumption, interval: float = SWEEP_INTERVAL) -> None:
        self._resumption = resumption
        self.interval = interval
        """Seconds between sweeps."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> list[str]:
        """One sweep; a failure (the database is down) is logged and the next sweep tries again."""
        try:
            return self._resumption.sweep()
        except Exception as exc:  # the database is down, say: never stop the app over a sweep
            log.error("resumption sweep failed", extra={"error": type(exc).__name__})
        return []

    def start(self) -> list[str]:
        """Sweep now (in the caller's thread) and then periodically; the ids the first sweep claimed."""
        claimed = self.sweep()
        self._thread = threading.Thread(target=self._run, name="ecm-resume", daemon=True)
        self._thread.start()
        return claimed

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sweep()
