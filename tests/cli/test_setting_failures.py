"""Settings, database and broker failures: one message saying what to fix, exit 2, no traceback, no secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DataError, IntegrityError
from typer.testing import CliRunner

from gateway.cli import app
from gateway.cli.failures import describe_failure
from gateway.errors import StorageError

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
CENSUS = ROOT / "samples" / "cin-census" / "census-2024-25.xml"
SUBMIT = ["submit", str(CENSUS), "--supplier", "acme-cms", "--la", "201"]
SECRET = "hunter2-not-for-printing"  # noqa: S105 - a made-up secret the output must never show


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path / "var"))
    for name in ("ECM_DATABASE_URL", "ECM_BROKER_URL", "ECM_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def _run(arguments: list[str], **env: str) -> str:
    result = runner.invoke(app, arguments, env={"COLUMNS": "200", **env})
    output = " ".join(result.output.split())
    assert result.exit_code == 2, (result.exception, output)
    assert "Traceback" not in output
    assert SECRET not in output
    return output


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "ECM_LOG_LEVEL",
            "verbose",
            "ECM_LOG_LEVEL is not valid: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        ),
        ("ECM_HTTP_MAX_RECORDS", "-1", "ECM_HTTP_MAX_RECORDS is not valid: Input should be greater than or equal to 1"),
        ("ECM_BROKER_URL", f"http://gw:{SECRET}@mq.example/ecm", "ECM_BROKER_URL must be an amqp:// or amqps:// URL"),
        ("ECM_RETRY_DELAYS", "ten", "ECM_RETRY_DELAYS cannot be read: it must be written as a JSON list"),
        ("ECM_SUBSCRIPTIONS", '[{"supplier": "acme cms", "format": "x"}]', "ECM_SUBSCRIPTIONS at /0/supplier is not"),
        ("ECM_AUDIT_KEY", SECRET, "ECM_AUDIT_KEY is not valid: Secret that signs the audit chain"),
    ],
)
def test_an_invalid_setting_is_named_with_what_it_should_be(variable: str, value: str, said: str) -> None:
    output = _run(["ledger"], **{variable: value})
    assert said in output
    assert "the README's Settings table lists every ECM_* setting" in output
    assert str(len(SECRET)) not in output  # not even a secret's length


def test_a_database_url_that_is_not_a_url() -> None:
    output = _run(["ledger"], ECM_DATABASE_URL="not a url")
    assert "ECM_DATABASE_URL is not a database URL the gateway can read" in output


def test_a_database_the_gateway_has_no_driver_for() -> None:
    output = _run(["ledger"], ECM_DATABASE_URL="nosuchdb://gw@db.example/gateway")
    assert "ECM_DATABASE_URL names a database the gateway does not support" in output


def test_a_database_that_does_not_answer_is_named_with_its_password_masked() -> None:
    output = _run(SUBMIT, ECM_DATABASE_URL=f"postgresql+psycopg://gw:{SECRET}@127.0.0.1:1/gateway")
    assert "cannot use the database" in output
    assert "postgresql+psycopg://gw:***@127.0.0.1:1/gateway" in output
    assert "database server is running and accepts connections" in output


def test_an_unknown_gateway_profile_names_the_setting() -> None:
    output = _run(SUBMIT, ECM_PROFILE="ics-9")
    assert "ECM_PROFILE: no built-in profile 'ics-9'" in output


def test_a_broker_that_does_not_answer_says_what_to_check_in_one_line() -> None:
    output = _run(["broker", "setup"], ECM_BROKER_URL=f"amqp://gw:{SECRET}@127.0.0.1:1/ecm")
    assert "broker setup failed: cannot connect to RabbitMQ" in output
    assert "check ECM_BROKER_URL" in output
    assert '"logger":"pika' not in output  # the driver's own log lines stay out of the way


def test_a_list_setting_that_is_not_json_says_it_is_a_json_list() -> None:
    output = _run(["plugins"], ECM_PLUGIN_ALLOWLIST="acme-gateway-plugin")
    assert "ECM_PLUGIN_ALLOWLIST cannot be read: it must be written as a JSON list" in output


def test_an_allow_listed_plugin_that_fails_to_load_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "broken_acme_plugin").mkdir(parents=True)
    (site / "broken_acme_plugin" / "__init__.py").write_text("raise ImportError('half installed')\n")
    info = site / "broken_acme_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-acme-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ecm_gateway]\nacme = broken_acme_plugin:plugin\n")
    monkeypatch.syspath_prepend(str(site))
    output = _run(["check", str(CENSUS)], ECM_PLUGIN_ALLOWLIST='["broken-acme-plugin"]')
    assert "plugin from distribution 'broken-acme-plugin'" in output
    assert "fix or uninstall that plugin, or take its distribution out of ECM_PLUGIN_ALLOWLIST" in output


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("ECM_DATABASE_URL", "not a url", "ECM_DATABASE_URL is not a database URL the gateway can read"),
        ("ECM_PROFILE", "ics-9", "ECM_PROFILE: no built-in profile 'ics-9'"),
        ("ECM_LOG_LEVEL", "loud", "ECM_LOG_LEVEL is not valid"),
    ],
)
def test_serve_refuses_to_start_on_settings_it_cannot_use(variable: str, value: str, said: str) -> None:
    output = _run(["serve", "--port", "18799"], **{variable: value})
    assert said in output


def test_broker_status_says_ready_but_degraded_when_the_broker_is_down() -> None:
    result = runner.invoke(
        app, ["broker", "status"], env={"ECM_BROKER_URL": f"amqp://gw:{SECRET}@127.0.0.1:1/ecm", "COLUMNS": "200"}
    )
    output = " ".join(result.output.split())
    assert result.exit_code == 0, output  # still accepting messages: load balancers keep routing to it
    assert "ready, degraded (transport" in output
    assert "messages are accepted and kept in the outbox" in output
    assert SECRET not in output


def test_broker_status_says_ready_when_all_is_well() -> None:
    assert runner.invoke(app, ["broker", "setup"]).exit_code == 0
    result = runner.invoke(app, ["broker", "status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ready: messages are accepted and published" in " ".join(result.output.split())


def test_a_data_dir_that_is_a_file_is_named_with_the_setting(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("")
    output = _run(["ledger"], ECM_DATA_DIR=str(not_a_folder))
    assert f"cannot use {not_a_folder}" in output
    assert f"ECM_DATA_DIR ({not_a_folder}) must be a folder the gateway can create and write to" in output


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ecm-gateway.sqlite3").write_text("a spreadsheet saved under the wrong name\n")
    output = _run(["ledger"], ECM_DATA_DIR=str(data))
    assert "cannot use the database" in output and "(file is not a database)" in output


def test_a_bug_keeps_its_traceback_and_a_driver_error_that_quotes_values_is_not_repeated() -> None:
    assert describe_failure(ValueError("a bug")) is None
    assert describe_failure(IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))) is None
    quoting = DataError("SELECT ...", {}, Exception('invalid input syntax for type date: "14/03/2015"'))
    wrapped = StorageError("the message store failed")
    wrapped.__cause__ = quoting
    said = describe_failure(wrapped)
    assert said is not None and "14/03/2015" not in said and "(DataError)" in said


def test_a_subscription_to_a_format_that_cannot_be_written_names_the_setting() -> None:
    output = _run(SUBMIT, ECM_SUBSCRIPTIONS='[{"supplier": "acme-cms", "format": "pdf"}]')
    assert "ECM_SUBSCRIPTIONS: subscription of 'acme-cms' names format 'pdf'" in output
