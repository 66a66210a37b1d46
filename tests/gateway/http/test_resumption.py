"""Asynchronous submissions a stopped process left unfinished are finished by the next start, exactly once.

A "crashed" process is simulated by an app whose background pool never runs what it is given: the
submission is received and ``queued`` (the 202 was sent) and nothing more happens. Its state is then dated
back past the resumption wait, as if the process had died that long ago.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import OperationalError

from gateway.audit import AuditLog
from gateway.http.background import BackgroundPool
from gateway.http.resumption import MAX_RESUMPTIONS, RESUME_ACTOR, Resumption, Sweeper
from gateway.http.tables import submission_states, submissions
from gateway.pipeline import process
from gateway.routing.tables import outbox
from gateway.security.tables import clients
from gateway.storage.payloads import PURGED_RECORD_RULE, child_keys, record_purges
from gateway.storage.tables import messages
from tests.gateway.http.conftest import Api, sample

FHIR = {"Content-Type": "application/fhir+json"}
FHIR_CHILD = sample("samples/fhir/child-with-caf.json")
SECRETS = ("Ashdown", "Robin", "9434765919", "2016-05-14", "LS6 2QB")  # the FHIR sample's child, as submitted


class _Never(Executor):
    """A pool that takes work and never runs it: the process died right after answering 202."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return Future()


def _crash(api: Api, message_id: str, *, client: str = "acme", age: timedelta | None = timedelta(hours=1)) -> None:
    """Submit asynchronously to a process that dies before processing; date its state back by ``age``."""
    service = api.app.state.submissions
    alive = service.background
    service.background = BackgroundPool(_Never())
    try:
        answer = api.http.post(
            f"/v1/messages?message_id={message_id}",
            content=FHIR_CHILD,
            headers={**FHIR, "Prefer": "respond-async", **api.key(client)},
        )
    finally:
        service.background = alive
    assert answer.status_code == 202, answer.text
    if age is not None:
        with api.database.engine.begin() as conn:
            conn.execute(
                update(submissions)
                .where(submissions.c.message_id == message_id)
                .values(updated_at=datetime.now(UTC) - age)
            )


def _state(api: Api, message_id: str) -> str:
    with api.database.engine.connect() as conn:
        return str(conn.execute(select(submissions.c.state).where(submissions.c.message_id == message_id)).scalar_one())


def _settled(api: Api, message_id: str) -> str:
    for _ in range(600):
        state = _state(api, message_id)
        if state not in ("queued", "processing"):
            return state
        threading.Event().wait(0.05)
    raise AssertionError("the resumed submission did not finish")


def _history(api: Api, message_id: str) -> list[str]:
    with api.database.engine.connect() as conn:
        return list(
            conn.execute(
                select(submission_states.c.state)
                .where(submission_states.c.message_id == message_id)
                .order_by(submission_states.c.id)
            ).scalars()
        )


def _routed(api: Api, message_id: str) -> list[str]:
    with api.database.engine.connect() as conn:
        return sorted(conn.execute(select(outbox.c.kind).where(outbox.c.message_id == message_id)).scalars())


def _audited(api: Api, action: str, message_id: str) -> list[tuple[str, str]]:
    return [
        (stored.entry.actor_user, stored.entry.outcome)
        for stored in AuditLog().entries(api.database.engine)
        if stored.entry.action == action and stored.entry.subject == message_id
    ]


def test_the_next_start_finishes_a_crashed_submission_once(
    make_api: Callable[..., Api], caplog: pytest.LogCaptureFixture
) -> None:
    crashed = make_api()
    _crash(crashed, "m-crash")
    assert (_state(crashed, "m-crash"), _routed(crashed, "m-crash")) == ("queued", [])

    caplog.set_level("DEBUG")
    restarted = make_api()  # the next start of the service, on the same database
    restarted.keys.update(crashed.keys)
    assert _settled(restarted, "m-crash") == "accepted"
    assert restarted.app.state.submissions.intake.store.status("m-crash") == "accepted"
    assert _history(restarted, "m-crash") == ["received", "queued", "resumed", "accepted"]
    assert _routed(restarted, "m-crash") == ["caf.assessment.upsert", "directory.child.upsert"]
    assert _audited(restarted, "message.resume", "m-crash") == [(RESUME_ACTOR, "claimed")]
    assert _audited(restarted, "message.submit", "m-crash") == [(RESUME_ACTOR, "accepted")]
    assert AuditLog().verify(restarted.database.engine).ok
    logged = " ".join(str(record.__dict__) for record in caplog.records)  # messages and their extra fields
    assert "resuming a submission left unfinished" in logged and "m-crash" in logged
    for secret in SECRETS:
        assert secret.encode() in FHIR_CHILD and secret not in logged, secret

    # the supplier follows it as usual, and a resend of the same message id changes nothing
    found = restarted.http.get("/v1/messages/m-crash", headers=restarted.key("acme")).json()
    assert (found["state"], found["status"], len(found["deliveries"])) == ("accepted", "accepted", 2)
    again = restarted.http.post(
        "/v1/messages?message_id=m-crash", content=FHIR_CHILD, headers={**FHIR, **restarted.key("acme")}
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _routed(restarted, "m-crash") == ["caf.assessment.upsert", "directory.child.upsert"]
    assert restarted.app.state.resumption.sweep() == []  # nothing left to resume
    metrics = restarted.http.get("/metrics").text
    assert 'ecm_http_submissions_resumed_total{outcome="accepted"} 1.0' in metrics


def test_a_synchronous_resend_finishes_a_crashed_submission_at_once(make_api: Callable[..., Api]) -> None:
    crashed = make_api()
    _crash(crashed, "m-resend")
    resent = crashed.http.post(
        "/v1/messages?message_id=m-resend", content=FHIR_CHILD, headers={**FHIR, **crashed.key("acme")}
    )
    assert resent.status_code == 201 and resent.json()["outcome"] == "accepted"
    restarted = make_api()
    assert restarted.app.state.resumption.sweep() == []
    assert _history(restarted, "m-resend") == ["received", "queued", "processing", "accepted"]
    assert _routed(restarted, "m-resend") == ["caf.assessment.upsert", "directory.child.upsert"]


def test_two_workers_sweeping_at_once_resume_it_once(make_api: Callable[..., Api]) -> None:
    first, second = make_api(), make_api()  # two worker processes sharing the database
    _crash(first, "m-race")
    barrier = threading.Barrier(2)
    claimed: list[list[str]] = []

    def sweep(api: Api) -> None:
        barrier.wait()
        claimed.append(api.app.state.resumption.sweep())

    threads = [threading.Thread(target=sweep, args=(api,)) for api in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [[], ["m-race"]]
    assert _settled(first, "m-race") == "accepted"
    assert _history(first, "m-race").count("resumed") == 1
    assert _routed(first, "m-race") == ["caf.assessment.upsert", "directory.child.upsert"]
    assert _audited(first, "message.submit", "m-race") == [(RESUME_ACTOR, "accepted")]


def test_only_one_of_many_concurrent_claims_wins(api: Api) -> None:
    _crash(api, "m-claims")
    resumption: Resumption = api.app.state.resumption
    barrier = threading.Barrier(6)

    def claim() -> bool:
        barrier.wait()
        return resumption.claim("m-claims")

    with ThreadPoolExecutor(max_workers=6) as pool:
        won = [future.result() for future in [pool.submit(claim) for _ in range(6)]]
    assert won.count(True) == 1
    assert _history(api, "m-claims").count("resumed") == 1
    assert len(_audited(api, "message.resume", "m-claims")) == 1


def test_a_second_finisher_is_superseded_and_sends_nothing(api: Api) -> None:
    _crash(api, "m-twice")
    service = api.app.state.submissions
    first: Resumption = api.app.state.resumption
    later = Resumption(service, api.clients, clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    assert first.claim("m-twice")
    assert later.claim("m-twice")  # the first claim looks stale to it: both now process the message
    assert first.resume("m-twice") == "accepted"
    assert later.resume("m-twice") == "superseded"
    assert _routed(api, "m-twice") == ["caf.assessment.upsert", "directory.child.upsert"]
    assert _audited(api, "message.submit", "m-twice") == [(RESUME_ACTOR, "accepted")]
    assert _history(api, "m-twice") == ["received", "queued", "resumed", "resumed", "accepted"]


def test_the_original_worker_waking_late_leaves_a_resumed_submission_alone(api: Api) -> None:
    _crash(api, "m-late")
    resumption: Resumption = api.app.state.resumption
    assert resumption.claim("m-late")
    store = api.app.state.submissions.intake.store
    stored = store.get("m-late")
    sources = store.files("m-late")
    principal = api.app.state.authenticator.authenticate(api.key("acme")["Authorization"])
    chosen = api.app.state.submissions.intake.choose_reader(sources, stored.envelope.format_id)
    assert api.app.state.submissions.process_received(principal, stored.envelope, sources, chosen) == "superseded"
    assert resumption.resume("m-late") == "accepted"
    assert _routed(api, "m-late") == ["caf.assessment.upsert", "directory.child.upsert"]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("revoke", "access/client-revoked"),
        ("council", "access/la-not-permitted"),
        ("scope", "access/submit-not-permitted"),
    ],
)
def test_a_client_that_lost_its_authority_has_its_leftover_refused(
    make_api: Callable[..., Api], change: str, rule: str
) -> None:
    crashed = make_api()
    _crash(crashed, "m-revoked")
    if change == "revoke":
        assert crashed.clients.revoke("acme")
    else:
        values = {"la_codes": ["203"]} if change == "council" else {"scopes": ["validate"]}
        with crashed.database.engine.begin() as conn:
            conn.execute(update(clients).where(clients.c.client_id == "acme").values(**values))

    restarted = make_api()
    assert _settled(restarted, "m-revoked") == "refused"
    stored = restarted.app.state.submissions.intake.store.get("m-revoked")
    assert (stored.status, stored.record_count) == ("rejected", 0)
    [issue] = stored.issues
    assert (issue.rule, issue.severity, issue.location.file) == (rule, "error", "payload.json")
    assert _routed(restarted, "m-revoked") == []
    assert _history(restarted, "m-revoked") == ["received", "queued", "resumed", "refused"]
    assert _audited(restarted, "message.submit", "m-revoked") == [(RESUME_ACTOR, "refused")]


def test_a_fresh_queued_submission_is_left_alone(make_api: Callable[..., Api]) -> None:
    crashed = make_api()
    _crash(crashed, "m-fresh", age=None)  # another worker may be processing it right now
    _crash(crashed, "m-old")
    restarted = make_api()
    assert _settled(restarted, "m-old") == "accepted"
    assert _state(restarted, "m-fresh") == "queued"
    assert _history(restarted, "m-fresh") == ["received", "queued"]
    assert restarted.app.state.submissions.intake.store.status("m-fresh") == "received"
    assert restarted.app.state.resumption.sweep() == []


def test_a_submission_resumed_too_often_is_failed_for_an_operator(make_api: Callable[..., Api]) -> None:
    crashed = make_api()
    _crash(crashed, "m-poison")
    with crashed.database.engine.begin() as conn:  # it stopped the process at every earlier resumption
        conn.execute(
            insert(submission_states),
            [{"message_id": "m-poison", "state": "resumed", "at": datetime.now(UTC)}] * MAX_RESUMPTIONS,
        )
    restarted = make_api()
    assert _state(restarted, "m-poison") == "failed"  # the start's claim settles it at once
    assert _audited(restarted, "message.resume", "m-poison") == [(RESUME_ACTOR, "abandoned")]
    assert restarted.app.state.submissions.intake.store.status("m-poison") == "received"  # replayable
    assert _routed(restarted, "m-poison") == []


def test_a_message_no_longer_received_is_never_claimed(api: Api) -> None:
    _crash(api, "m-done")
    with api.database.engine.begin() as conn:  # processed by an operator's replay meanwhile, say
        conn.execute(update(messages).where(messages.c.message_id == "m-done").values(status="accepted"))
    resumption: Resumption = api.app.state.resumption
    assert resumption.stale() == []
    assert not resumption.claim("m-done")
    with api.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 0


def test_a_running_worker_sweeps_again_later(api: Api) -> None:
    sweeper = Sweeper(api.app.state.resumption, interval=0.02)
    assert sweeper.start() == []  # nothing to resume when it starts
    try:
        _crash(api, "m-later")  # a worker elsewhere dies after this one started
        assert _settled(api, "m-later") == "accepted"
    finally:
        sweeper.stop()
    assert _history(api, "m-later") == ["received", "queued", "resumed", "accepted"]


def test_a_failing_sweep_is_logged_by_type_and_never_stops_the_app(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    resumption: Resumption = api.app.state.resumption

    def down() -> list[str]:
        raise OperationalError("SELECT ... 'Okonkwo'", {}, Exception("connection refused"))

    monkeypatch.setattr(resumption, "stale", down)
    assert Sweeper(resumption).sweep() == []
    [record] = [record for record in caplog.records if record.getMessage() == "resumption sweep failed"]
    assert record.__dict__["error"] == "OperationalError" and "Okonkwo" not in str(record.__dict__)


def test_a_child_purged_while_a_submission_waited_is_not_brought_back(make_api: Callable[..., Api]) -> None:
    """The intake drops records about a child purged after their message was received; the HTTP path (a
    queued or left-over submission finished later) must do the same, or a purge would be undone."""
    crashed = make_api()
    _crash(crashed, "m-purged")
    store = crashed.app.state.submissions.intake.store
    stored = store.get("m-purged")
    assert stored is not None
    received = stored.envelope.received_at
    reader = crashed.app.state.submissions.intake.registry.reader("fhir-r4-json")
    (record,) = process(stored.envelope, store.files("m-purged"), reader, ()).message.records
    with crashed.database.engine.begin() as conn:  # the council purged the child after the message arrived
        record_purges(conn, child_keys(record), "purge-1", received + timedelta(seconds=1))

    restarted = make_api()
    restarted.keys.update(crashed.keys)
    assert _settled(restarted, "m-purged") == "accepted"
    assert _routed(restarted, "m-purged") == []  # neither the directory nor the CAF store hears of the child
    kept = restarted.app.state.submissions.intake.store.canonical("m-purged")
    assert kept is not None and kept.records == ()
    assert [issue.rule for issue in kept.issues if issue.rule == PURGED_RECORD_RULE] == [PURGED_RECORD_RULE]
    (entry,) = [
        stored.entry
        for stored in AuditLog().entries(restarted.database.engine)
        if stored.entry.action == "message.submit" and stored.entry.subject == "m-purged"
    ]
    assert (entry.query["asynchronous"], entry.query["records"]) == (True, 0)


def test_a_failed_submission_finished_by_an_operator_replay_reads_as_its_outcome(make_api: Callable[..., Api]) -> None:
    """``ecm-gateway replay`` settles the message, not the HTTP submission: the status a supplier reads must
    say how the message ended, not the attempt that failed."""
    api = make_api()
    _crash(api, "m-replayed")
    service = api.app.state.submissions
    assert service.mark_failed("m-replayed") == "failed"
    before = api.http.get("/v1/messages/m-replayed", headers=api.key("acme")).json()
    assert (before["state"], before["status"]) == ("failed", "received")

    service.intake.reprocess("m-replayed", record=True)  # what the operator's replay does

    after = api.http.get("/v1/messages/m-replayed", headers=api.key("acme")).json()
    assert (after["state"], after["status"]) == ("accepted", "accepted")
    assert len(after["deliveries"]) == 2
    assert _state(api, "m-replayed") == "failed"  # the record of the attempt itself is kept as it was


def test_the_resumption_timings_come_from_the_settings(make_api: Callable[..., Api]) -> None:
    api = make_api(http_resume_after=120, http_resume_interval=30, http_resume_attempts=5)
    resumption = api.app.state.resumption
    assert (resumption.resume_after, resumption.max_resumptions) == (timedelta(seconds=120), 5)
    assert api.app.state.sweeper.interval == 30
    _crash(api, "m-soon", age=timedelta(seconds=150))  # past the configured wait, well inside the default 10 min
    assert resumption.sweep() == ["m-soon"]
    assert _settled(api, "m-soon") == "accepted"


def test_a_resumption_built_without_settings_has_the_settings_defaults(make_api: Callable[..., Api]) -> None:
    api = make_api()  # no ECM_HTTP_RESUME_* given: the settings' defaults (README: 600 s, 300 s, 3)
    direct = Resumption(api.app.state.submissions, api.clients)
    wired: Resumption = api.app.state.resumption
    assert (direct.resume_after, direct.max_resumptions) == (wired.resume_after, wired.max_resumptions)
    assert (direct.resume_after, direct.max_resumptions) == (timedelta(seconds=600), 3)
    assert Sweeper(direct).interval == api.app.state.sweeper.interval == 300
