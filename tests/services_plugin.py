"""Pytest plumbing for the real servers the suite needs (RabbitMQ, PostgreSQL).

The servers are installed and started by ``scripts/services``; their URLs reach the tests through
environment variables::

    eval "$(scripts/services env)"   # exports ECM_TEST_AMQP_URL and ECM_TEST_POSTGRES_URL

Fixtures ``amqp_url`` and ``postgres_url`` (session scope) return those URLs after one probe
connection each.  When a variable is unset or its server cannot be reached the dependent tests are
*skipped*, so a developer without the servers can still run everything else -- unless
``ECM_REQUIRE_SERVICES=1`` (CI sets it), which turns the skip into a *failure*, so a missing or
broken server can never hide behind a skip.

The markers ``rabbitmq`` and ``postgres`` (declared in pyproject.toml) and the fixtures imply each
other: a marked test gets its server checked even if it does not ask for the URL, and a test that
uses a fixture is marked, so ``-m "not rabbitmq and not postgres"`` selects the server-free tests.

Registered from tests/conftest.py via ``pytest_plugins``.
"""

from __future__ import annotations

import os
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pika
import pika.exceptions
import psycopg
import pytest

AMQP_URL_ENV = "ECM_TEST_AMQP_URL"
POSTGRES_URL_ENV = "ECM_TEST_POSTGRES_URL"
REQUIRE_ENV = "ECM_REQUIRE_SERVICES"

# Probes must fail fast: a dead server should cost seconds, not the libraries' default retries.
PROBE_TIMEOUT_S = 5

_FIXTURE_FOR_MARKER = {"rabbitmq": "amqp_url", "postgres": "postgres_url"}


def services_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"


def service_unavailable(reason: str) -> NoReturn:
    """Skip the current test -- or fail it when ECM_REQUIRE_SERVICES=1."""
    if services_required():
        pytest.fail(
            f"{reason}. {REQUIRE_ENV}=1 requires the real servers: "
            'run scripts/services and eval "$(scripts/services env)".',
            pytrace=False,
        )
    pytest.skip(f'{reason} (start it with scripts/services; eval "$(scripts/services env)")')


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``, for messages and report headers."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def libpq_url(url: str) -> str:
    """SQLAlchemy's ``postgresql+psycopg://...`` as a libpq/psycopg ``postgresql://...`` URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] not in {"postgresql", "postgres"}:
        raise ValueError(f"not a PostgreSQL URL: {redact_url(url)}")
    return f"postgresql://{rest}"


def _url_from_env(name: str, what: str) -> str:
    url = os.environ.get(name, "").strip()
    if not url:
        service_unavailable(f"{what} not configured: {name} is not set")
    return url


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """AMQP URL of a reachable RabbitMQ vhost (``amqp://user:pass@host:port/vhost``)."""
    url = _url_from_env(AMQP_URL_ENV, "RabbitMQ")
    # The skip/fail is raised outside the `except` blocks so the report shows one clear message
    # rather than "During handling of the above exception, another exception occurred".
    problem = None
    try:
        params = pika.URLParameters(url)
        params.connection_attempts = 1
        params.socket_timeout = PROBE_TIMEOUT_S
        params.stack_timeout = PROBE_TIMEOUT_S
        pika.BlockingConnection(params).close()
    except (pika.exceptions.AMQPError, OSError) as exc:
        # Covers refused connections, timeouts, bad credentials and a missing vhost.
        problem = f"cannot connect to RabbitMQ at {redact_url(url)}: {exc!r}"
    except ValueError as exc:
        problem = f"{AMQP_URL_ENV} is not a valid AMQP URL ({redact_url(url)}): {exc}"
    if problem:
        service_unavailable(problem)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of a reachable PostgreSQL database (``postgresql+psycopg://...``).

    Use :func:`libpq_url` to get the plain form for ``psycopg.connect``.
    """
    url = _url_from_env(POSTGRES_URL_ENV, "PostgreSQL")
    problem = None  # raised outside the `except` blocks, as in amqp_url
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=PROBE_TIMEOUT_S) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        problem = f"cannot connect to PostgreSQL at {redact_url(url)}: {str(exc).strip()}"
    except ValueError as exc:
        problem = f"{POSTGRES_URL_ENV}: {exc}"
    if problem:
        service_unavailable(problem)
    return url


@pytest.fixture(autouse=True)
def _services_for_markers(request: pytest.FixtureRequest) -> None:
    """A test marked ``rabbitmq``/``postgres`` is skipped (or failed) without its server."""
    for marker, fixture in _FIXTURE_FOR_MARKER.items():
        if request.node.get_closest_marker(marker) is not None:
            request.getfixturevalue(fixture)


@pytest.hookimpl(tryfirst=True)  # before the built-in -m deselection sees the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture, directly or through other fixtures."""
    for item in items:
        fixturenames = getattr(item, "fixturenames", ())
        for marker, fixture in _FIXTURE_FOR_MARKER.items():
            if fixture in fixturenames and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


def pytest_report_header() -> list[str]:
    def show(name: str) -> str:
        value = os.environ.get(name, "").strip()
        return redact_url(value) if value else "(unset)"

    mode = "required (fail if missing)" if services_required() else "optional (skip if missing)"
    return [
        f"services: {mode}",
        f"  {AMQP_URL_ENV}={show(AMQP_URL_ENV)}",
        f"  {POSTGRES_URL_ENV}={show(POSTGRES_URL_ENV)}",
    ]
