"""The integrator guide's example plugin works exactly as printed."""

from __future__ import annotations

from types import ModuleType

import pytest

from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader
from gateway.errors import PluginError
from gateway.plugins import load_registry
from tests.docs.guide_code import DOCS, guide_module

GUIDE = DOCS / "integrators" / "README.md"


def _example_module() -> ModuleType:
    return guide_module(GUIDE, "acme_gateway_plugin")


def test_example_plugin_reads_and_reports_issues() -> None:
    plugin = _example_module().plugin
    registry = load_registry(entry_points_=[], extra=[plugin])
    data = b"201|C1|F\n201|C2|X\nbroken\n"
    reader = registry.detect("extract.acme", data[:100])
    assert reader is not None and reader.format_id == "acme-pipe"
    events = list(reader.read([SourceFile(name="extract.acme", data=data)]))
    assert isinstance(events[0], SubmissionHeader)
    records = [e for e in events if isinstance(e, ChildRecord)]
    issues = [e for e in events if isinstance(e, Issue)]
    assert [r.child.sex for r in records] == ["F"]
    assert records[0].lineage[0].source.line == 1
    assert [(i.rule, i.location.line if i.location else None) for i in issues] == [("acme/sex", 2), ("acme/fields", 3)]


def test_two_readers_for_one_format_are_refused() -> None:
    plugin = _example_module().plugin
    with pytest.raises(PluginError, match="registered twice"):
        load_registry(entry_points_=[], extra=[plugin, plugin])
