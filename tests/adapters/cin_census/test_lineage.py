"""Lineage: every canonical field the reader sets has a source, and every source points at the element (by
line and XPath in the supplier's file) that holds the value."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from gateway import ChildRecord
from tests.adapters.cin_census.support import FIXTURES, read_path

FILES = ["cin-2022-valid.xml", "synthetic-2019.xml", "synthetic-2025.xml", "CIN_Census_2024.xml"]
DERIVED = {"episode_id", "assessment_id", "plan_id", "enquiry_id", "kind", "child_seen_known", "la_code"}
"""Fields set from a position or a fact of the format rather than copied from the element's text."""


def _resolve(document: Any, pointer: str) -> Any:
    for part in pointer.lstrip("/").split("/"):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def _leaves(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in _leaves(value, f"{prefix}/{key}")]
    if isinstance(data, list):
        return [leaf for index, value in enumerate(data) for leaf in _leaves(value, f"{prefix}/{index}")]
    return [prefix]


def _records(name: str) -> list[ChildRecord]:
    return read_path(FIXTURES / name).records


@pytest.mark.parametrize("name", FILES)
def test_every_source_points_at_the_element_holding_the_value(name: str) -> None:
    tree = etree.parse(str(FIXTURES / name))
    for record in _records(name):
        data = record.model_dump(mode="json")
        for entry in record.lineage:
            assert entry.source.file == name
            (element,) = tree.xpath(entry.source.path)
            assert element.sourceline == entry.source.line, entry
            assert entry.step == f"cin-census-xml:{etree.QName(element).localname}" or ":" in entry.step[15:]
            value = _resolve(data, entry.field)
            field = entry.field.rsplit("/", 1)[-1]
            text = (element.text or "").strip()
            if field in DERIVED:
                continue
            if isinstance(value, str) and field not in {"sex", "referral_nfa"}:
                assert value == text, entry
            elif isinstance(value, dict):  # the ethnicity coding
                assert value["code"] == text


@pytest.mark.parametrize("name", FILES)
def test_every_field_set_has_a_source(name: str) -> None:
    for record in _records(name):
        data = record.model_dump(mode="json", exclude_defaults=True)
        del data["lineage"]
        sourced = {entry.field for entry in record.lineage}
        for leaf in _leaves(data):
            assert any(leaf == f or leaf.startswith(f + "/") for f in sourced), leaf


def test_positions_in_paths_count_each_repeated_element() -> None:
    (record,) = [r for r in _records("synthetic-2025.xml") if len(r.cin_episodes) == 2][:1]
    paths = {entry.field: entry.source.path for entry in record.lineage}
    assert paths["/cin_episodes/1/referral_date"].endswith("/CINdetails[2]/CINreferralDate")
    assert "/Message/Children/Child[" in paths["/cin_episodes/1/referral_date"]
