"""Shared fixtures. Service plumbing (real RabbitMQ and PostgreSQL) lives in tests/services_plugin.py."""

from tests.databases import database, database_url

pytest_plugins = ["tests.services_plugin"]

__all__ = ["database", "database_url"]
