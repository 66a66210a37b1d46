"""Tests for gateway.caf."""
