"""What a command says when it cannot run: settings, database, broker or file failures as one clear line.

Every command runs inside :class:`GatewayGroup`, which turns the failures a user can fix (an invalid
``ECM_*`` setting, a database URL that cannot be parsed or reached, a broker that does not answer, a file
that cannot be written) into a message saying what to do and exit status 2, instead of a Python traceback.
The messages never repeat a setting's value (it may hold a password) nor a driver's detail lines (they may
hold submitted values). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import re
from typing import Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from typer.core import TyperGroup

from gateway.cli.output import error_console
from gateway.errors import ConfigurationError, GatewayError, PluginError, StorageError, TransportError
from gateway.settings import DEFAULT_DATA_DIR, Settings

__all__ = ["GatewayGroup", "describe_failure"]

_SETTINGS_HINT = "set it in the environment or the .env file (the README's Settings table lists every ECM_* setting)"
_DATABASE_HINT = (
    "check ECM_DATABASE_URL (e.g. postgresql+psycopg://user@host/db, or unset for the SQLite file under "
    "ECM_DATA_DIR) and that the database server is running and accepts connections"
)
_BROKER_HINT = (
    "check ECM_BROKER_URL (amqp://user:password@host:5672/vhost, or unset for the local transport) and that "
    "RabbitMQ is running and reachable; `ecm-gateway broker status` shows what answers"
)


def _variable(field: object) -> str:
    return f"ECM_{str(field).upper()}"


def _settings_errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        location = error["loc"]
        where = _variable(location[0]) if location else "a setting"
        if len(location) > 1:
            where += " at /" + "/".join(str(part) for part in location[1:])
        field = Settings.model_fields.get(str(location[0])) if location else None
        if field is not None and "Secret" in str(field.annotation):
            message = field.description or "see the README's Settings table"  # not even the secret's length
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        if message.startswith(where):
            lines.append(message)
        else:
            lines.append(f"{where} is not valid: {message}")
    return "\n".join([*lines, _SETTINGS_HINT])


def _settings_parse_error(exc: SettingsError) -> str:
    found = re.search(r'field "([a-z_]+)"', str(exc))
    if found is None:
        return f"the ECM_* settings cannot be read; {_SETTINGS_HINT}"
    field = found.group(1)
    info = Settings.model_fields.get(field)
    meaning = f" ({info.description})" if info is not None and info.description else ""
    shape = "a JSON list" if "tuple" in str(info and info.annotation) else "JSON"
    return f"{_variable(field)} cannot be read: it must be written as {shape}{meaning}; {_SETTINGS_HINT}"


def _driver_line(exc: BaseException | None) -> str:
    """The first line of a connection failure (no SQL, no parameters, no detail lines), or the error's type."""
    readable = isinstance(exc, OperationalError | InterfaceError | ProgrammingError) or type(exc) is DatabaseError
    if readable and isinstance(exc, DatabaseError) and exc.orig is not None:  # not DataError: it quotes values
        first = str(exc.orig).strip().splitlines()
        if first:
            return f" ({first[0].strip()})"
    if exc is not None:
        return f" ({type(exc).__name__})"
    return ""


def _database_failure(exc: BaseException) -> str | None:
    if isinstance(exc, NoSuchModuleError):
        return f"ECM_DATABASE_URL names a database the gateway does not support; {_DATABASE_HINT}"
    if isinstance(exc, ArgumentError):
        return f"ECM_DATABASE_URL is not a database URL the gateway can read; {_DATABASE_HINT}"
    if isinstance(exc, StorageError):
        if not isinstance(exc.__cause__, SQLAlchemyError):  # the store refused something, the database is fine
            return str(exc)
        return f"cannot use the database: {exc}{_driver_line(exc.__cause__)}; {_DATABASE_HINT}"
    if isinstance(exc, OperationalError | InterfaceError | ProgrammingError):  # unreachable, or not migrated
        return (
            f"cannot use the database{_driver_line(exc)}; {_DATABASE_HINT} (`ecm-gateway db upgrade` creates "
            "or migrates its tables)"
        )
    if isinstance(exc, ModuleNotFoundError) and _raised_in(exc, "sqlalchemy"):
        return (
            f"the database driver {exc.name!r} that ECM_DATABASE_URL needs is not installed; use "
            f"postgresql+psycopg://... (installed with the gateway) or SQLite; {_DATABASE_HINT}"
        )
    return None


def _raised_in(exc: BaseException, package: str) -> bool:
    frame = exc.__traceback__
    while frame is not None:
        if f"/{package}/" in frame.tb_frame.f_code.co_filename.replace("\\", "/"):
            return True
        frame = frame.tb_next
    return False


def describe_failure(exc: BaseException) -> str | None:
    """What to tell the user about ``exc``, or ``None`` when it is not a failure they can fix (a bug)."""
    if isinstance(exc, ValidationError) and exc.title == Settings.__name__:
        return _settings_errors(exc)
    if isinstance(exc, SettingsError):
        return _settings_parse_error(exc)
    database = _database_failure(exc)
    if database is not None:
        return database
    if isinstance(exc, TransportError):
        return f"{exc}; {_BROKER_HINT}"
    if isinstance(exc, PluginError):
        return f"{exc}; fix or uninstall that plugin, or take its distribution out of ECM_PLUGIN_ALLOWLIST"
    if isinstance(exc, ConfigurationError):
        return f"{exc}; {_SETTINGS_HINT}" if str(exc).startswith("ECM_") else str(exc)
    if isinstance(exc, GatewayError):
        return str(exc)
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) and exc.filename is not None:
        message = f"cannot use {exc.filename}: {exc.strerror or type(exc).__name__}"
        data_dir = os.environ.get("ECM_DATA_DIR") or str(DEFAULT_DATA_DIR)
        if str(exc.filename).startswith(data_dir):
            message += f"; ECM_DATA_DIR ({data_dir}) must be a folder the gateway can create and write to"
        return message
    return None


class GatewayGroup(TyperGroup):
    """The root command group: a failure the user can fix is printed as one clear message, exit status 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = describe_failure(exc)
            if message is None:
                raise
            error_console.print(message, markup=False, highlight=False)
            raise typer.Exit(2) from exc
