"""Tests for gateway.http."""
