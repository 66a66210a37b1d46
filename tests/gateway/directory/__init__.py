"""Tests for gateway.directory."""
