"""Operating the routing: readiness, metrics, the CLI commands and a clean shutdown on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.transports.local import LocalTransport
from adapters.transports.rabbitmq import RabbitMQTransport
from gateway.audit import AuditLog
from gateway.cli import app
from gateway.directory.store import DirectoryStore
from gateway.routing.ledger import compute_ledger
from gateway.routing.metrics import RoutingMetrics
from gateway.routing.readiness import readiness
from gateway.storage import Database, open_database
from tests.gateway.routing.flow import Flow, make_flow, pump
from tests.gateway.routing.support import child, jsonl, routed_intake

runner = CliRunner()


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    yield make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")


def test_ready_on_the_local_transport_and_degraded_not_unready_without_a_broker(flow: Flow) -> None:
    report = readiness(flow.database, transport=flow.transport, topology=flow.topology, outbox=flow.outbox)
    assert report.ready and not report.degraded
    absent = RabbitMQTransport("amqp://nobody:nothing@127.0.0.1:1/none", connect_timeout=0.5)
    report = readiness(flow.database, transport=absent, topology=flow.topology, outbox=flow.outbox)
    assert report.ready and report.degraded  # intake keeps accepting into the outbox
    assert [c.name for c in report.checks if not c.ok] == ["transport"]
    assert "amqp://" not in str(report.as_dict())


def test_metrics_count_publishes_deliveries_and_show_the_outbox_lag(flow: Flow) -> None:
    metrics = RoutingMetrics()
    flow.relay.metrics = metrics
    flow.intake.submit([("c.jsonl", jsonl([child(1), child(2)]))], supplier_id="acme", la_code="201")
    metrics.observe(outbox=flow.outbox, transport=flow.transport, queues=[flow.names.directory_queue])
    text = metrics.exposition().decode()
    assert "ecm_outbox_pending 4.0" in text
    flow.relay.drain()
    pump(flow.store_worker("directory", metrics=metrics))
    metrics.observe(outbox=flow.outbox, transport=flow.transport, queues=[flow.names.directory_queue])
    text = metrics.exposition().decode()
    assert 'ecm_publish_total{outcome="confirmed"} 4.0' in text
    assert 'ecm_deliveries_total{queue="ecm.directory"} 2.0' in text
    assert 'ecm_settled_total{action="ack",queue="ecm.directory"} 2.0' in text
    assert "ecm_outbox_pending 0.0" in text
    assert 'ecm_queue_depth{queue="ecm.directory"} 0.0' in text


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "ECM_DATABASE_URL": f"sqlite:///{tmp_path / 'gw.sqlite3'}",
        "ECM_BROKER_URL": "",
        "ECM_PROFILE": "none",
        "ECM_RETRY_DELAYS": "[0.1]",
        "COLUMNS": "200",
    }


def test_cli_broker_setup_ledger_and_replay_on_the_local_transport(tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = runner.invoke(app, ["broker", "setup"], env=env)
    assert result.exit_code == 0, result.output
    assert "ecm.directory.dead" in result.output
    database = open_database(env["ECM_DATABASE_URL"])
    intake, _ = routed_intake(database)
    intake.submit([("c.jsonl", jsonl([child(1)]))], supplier_id="acme", la_code="201", message_id="m-1")
    database.dispose()
    result = runner.invoke(app, ["ledger"], env=env)
    assert result.exit_code == 0, result.output  # in flight: balanced
    assert "acme" in result.output
    result = runner.invoke(app, ["replay"], env=env)
    assert result.exit_code == 2
    result = runner.invoke(app, ["replay", "--message", "m-1", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "m-1: outcome unchanged; would be re-sent" in result.output
    assert "directory.child.upsert to ecm.directory" in result.output
    result = runner.invoke(app, ["replay", "--dead-letters", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "no dead letter waiting" in result.output
    result = runner.invoke(app, ["broker", "status"], env=env)
    assert result.exit_code == 0, result.output
    assert "outbox" in result.output


def test_the_worker_delivers_everything_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, **_env(tmp_path)}
    database = open_database(env["ECM_DATABASE_URL"])
    intake, _ = routed_intake(database)
    for n in range(5):
        intake.submit([("c.jsonl", jsonl([child(n)]))], supplier_id="acme", la_code="201")
    process = subprocess.Popen(
        [sys.executable, "-c", "from gateway.cli import main; main()", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = compute_ledger(database).lines[0]
            if line.delivered == 5:
                break
            time.sleep(0.2)
        assert compute_ledger(database).lines[0].delivered == 5
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(DirectoryStore(database).child_ids()) < 5:
            time.sleep(0.2)
        assert len(DirectoryStore(database).child_ids()) == 5
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        database.dispose()
    assert process.returncode == 0, output.decode()
    assert b"running relay, directory, caf, inbound" in output


def test_the_demo_shows_where_each_messages_events_went_and_the_ledger(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--issues", "0"], env={"ECM_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    routed = [line for line in result.output.splitlines() if line.strip().startswith("routed:")]
    manifest = (Path(__file__).resolve().parents[3] / "samples" / "manifest.yaml").read_text(encoding="utf-8")
    assert len(routed) == manifest.count("  - title: ")
    assert all(" -> ecm." in line and "waiting" not in line for line in routed)
    assert "ledger: received = delivered + rejected + in flight" in result.output
    total = next(line for line in result.output.splitlines() if line.startswith("│ total"))
    assert total.split("│")[-2].strip() == "0"  # no difference


def test_operator_actions_are_audited_as_the_os_user_in_the_actions_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "ops-alice")
    monkeypatch.setenv("LOGNAME", "ops-alice")
    env = _env(tmp_path)
    assert runner.invoke(app, ["broker", "setup"], env=env).exit_code == 0
    database = open_database(env["ECM_DATABASE_URL"])
    try:
        intake, _ = routed_intake(database)
        intake.submit([("c.jsonl", jsonl([child(1)]))], supplier_id="acme", la_code="201", message_id="m-1")
        assert runner.invoke(app, ["replay", "--message", "m-1", "--dry-run"], env=env).exit_code == 0
        assert runner.invoke(app, ["replay", "--message", "m-1"], env=env).exit_code == 0
        added = ["clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "201"]
        assert runner.invoke(app, added, env=env).exit_code == 0
        issued = runner.invoke(app, ["clients", "api-key", "acme-cms"], env=env)
        assert runner.invoke(app, ["clients", "revoke", "acme-cms"], env=env).exit_code == 0
        entries = AuditLog().entries(database.engine)
        actions = [(entry.entry.action, entry.entry.subject) for entry in entries]
        assert actions == [
            ("message.replay", "m-1"),  # the dry run writes nothing
            ("clients.add", "acme-cms"),
            ("clients.api-key", "acme-cms"),
            ("clients.revoke", "acme-cms"),
        ]
        assert {entry.entry.actor_user for entry in entries} == {"operator:ops-alice"}
        token = issued.output.strip().splitlines()[-1]
        assert all(token not in str(entry.entry) for entry in entries)  # the secret is never audited
        assert AuditLog().verify(database.engine).ok
    finally:
        database.dispose()
