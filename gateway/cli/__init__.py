"""The ``ecm-gateway`` command line (typer + rich). A composition root: it may import adapters/conformance."""

from gateway.cli.app import app, main

__all__ = ["app", "main"]
