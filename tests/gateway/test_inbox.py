"""The inbox helpers shared by the stores: NUL detection and ``IN (...)`` lists."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.inbox import IN_LIST_SIZE, contains_nul, in_lists

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


def _walk(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_walk(key) or _walk(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_walk(item) for item in value)
    return False


def test_a_nul_is_found_anywhere_and_only_there() -> None:
    assert contains_nul({"names": [{"family": "Sm\x00ith"}]})
    assert contains_nul({"key\x00": 1})
    assert contains_nul(["a", "\x00"])
    assert contains_nul("\x00")
    assert not contains_nul({"text": "a literal \\u0000 is six characters, not a NUL"})
    assert not contains_nul({"numbers": [1, 2.5, None, True, 2**70]})  # too big for orjson: walked instead


@given(_json)
def test_contains_nul_agrees_with_a_plain_walk(value: object) -> None:
    assert contains_nul(value) == _walk(value)


def test_in_lists_are_sorted_deduplicated_and_bounded() -> None:
    values = [f"v{n:05d}" for n in reversed(range(IN_LIST_SIZE + 3))] * 2
    chunks = list(in_lists(values))
    assert [len(chunk) for chunk in chunks] == [IN_LIST_SIZE, 3]
    assert [value for chunk in chunks for value in chunk] == sorted(set(values))
    assert list(in_lists([])) == []
