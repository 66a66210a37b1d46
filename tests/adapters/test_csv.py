"""Robust CSV reading: the hostile corpus (encodings, NUL, quotes, formula cells, huge fields) never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters._csv import CsvHeader, CsvRecord, iter_csv, looks_like_formula
from gateway import Issue, SourceFile


def read(data: bytes, **options: int) -> tuple[CsvHeader | None, list[CsvRecord], list[Issue]]:
    header, records, issues = None, [], []
    for item in iter_csv(SourceFile(name="f.csv", data=data), **options):  # type: ignore[arg-type]
        if isinstance(item, CsvHeader):
            header = item
        elif isinstance(item, CsvRecord):
            records.append(item)
        else:
            issues.append(item)
    return header, records, issues


def rules(issues: list[Issue]) -> list[str]:
    return [issue.rule for issue in issues]


def test_bom_crlf_and_blank_lines() -> None:
    header, records, issues = read(b"\xef\xbb\xbfA,B\r\n1,2\r\n\r\n3,4\r\n")
    assert header is not None and header.names == ("A", "B")
    assert [(r.row, r.line, r.cells) for r in records] == [(1, 2, ["1", "2"]), (2, 4, ["3", "4"])]
    assert issues == []


def test_cr_only_line_ends() -> None:
    _, records, _ = read(b"A,B\r1,2\r3,4")
    assert [r.cells for r in records] == [["1", "2"], ["3", "4"]]


def test_windows_1252_is_read_with_a_warning_naming_the_line() -> None:
    _, records, issues = read("A,B\n1,2\nJos\xe9,3\n".encode("cp1252"))
    assert records[1].cells == ["José", "3"]
    (issue,) = issues
    assert (issue.rule, issue.severity, issue.location.line) == ("read/encoding", "warning", 3)


def test_utf16_with_bom() -> None:
    _, records, issues = read("A,B\r\n1,2\r\n".encode("utf-16"))
    assert records[0].cells == ["1", "2"]
    assert rules(issues) == ["read/encoding"]


def test_nul_bytes_are_removed_and_reported() -> None:
    _, records, issues = read(b"A,B\n1,\x002\n")
    assert records[0].cells == ["1", "2"]
    assert rules(issues) == ["read/nul-byte"] and issues[0].location.line == 2
    _, records, issues = read("A,B\n1,2\n".encode("utf-16-le"))  # UTF-16 without a BOM
    assert records[0].cells == ["1", "2"] and "read/nul-byte" in rules(issues)


def test_an_unbalanced_quote_does_not_swallow_the_rest_of_the_file() -> None:
    _, records, issues = read(b'A,B\n1,"2\n3,4\n5,6\n')
    assert [r.cells for r in records] == [["1", '"2'], ["3", "4"], ["5", "6"]]
    assert rules(issues) == ["read/csv-quote"] and issues[0].location.line == 2


def test_quoted_line_breaks_only_when_allowed() -> None:
    data = b'A,B\n"1\nmore",2\n3,4\n'
    _, records, issues = read(data, max_span=3)
    assert [r.cells for r in records] == [["1\nmore", "2"], ["3", "4"]] and issues == []
    _, records, issues = read(data, max_span=1)
    assert "read/csv-quote" in rules(issues) and records[-1].cells == ["3", "4"]
    assert issues[0].location.line == 2 and "runs over 1 line break(s)" in issues[0].message


def test_an_unclosed_quote_is_told_apart_from_a_line_break_in_a_quoted_cell() -> None:
    _, _, issues = read(b'A,B\n"1,2\n3,4\n5,6\n', max_span=1)
    assert issues[0].rule == "read/csv-quote" and issues[0].location.line == 2
    assert "never closed" in issues[0].message
    _, _, issues = read(b'A,B\n"1\n""more"" and\nmore",2\n', max_span=2)  # closes on the last line
    assert "runs over 2 line break(s)" in issues[0].message


def test_huge_field_is_skipped_with_an_issue() -> None:
    _, records, issues = read(b"A,B\n" + b"x" * 200_000 + b",1\n2,3\n")
    assert rules(issues) == ["read/csv-field-too-large"]
    assert records[-1].cells == ["2", "3"]


def test_size_limit() -> None:
    header, records, issues = read(b"A\n" + b"1\n" * 100, max_bytes=50)
    assert header is None and records == [] and rules(issues) == ["read/too-large"]


def test_short_and_long_rows() -> None:
    _, records, issues = read(b"A,B,C\n1\n1,2,3,4\n1,2,3,,\n")
    assert [r.cells for r in records] == [["1", "", ""], ["1", "2", "3"], ["1", "2", "3"]]
    assert rules(issues) == ["read/csv-short-row", "read/csv-long-row"]


def test_formula_cells_are_flagged_by_column_without_the_value() -> None:
    _, records, issues = read(b'A,B,C\n=1+2,-5,+44 7700 900123\n"@SUM(A1)",2020-01-01,\t=cmd\n')
    flagged = [(issue.location.row, issue.location.column) for issue in issues]
    assert flagged == [(1, "A"), (2, "A"), (2, "C")]
    assert all(issue.rule == "read/csv-formula" and "=" not in issue.message for issue in issues)
    assert records[0].cells[0] == "=1+2"  # kept as text, never evaluated


def test_looks_like_formula() -> None:
    assert looks_like_formula("=HYPERLINK(x)") and looks_like_formula("@x") and looks_like_formula("-cmd")
    assert not looks_like_formula("-12.5") and not looks_like_formula("+44 (0)20 7946 0000")
    assert not looks_like_formula("") and not looks_like_formula("plain")


def test_empty_file() -> None:
    assert rules(read(b"")[2]) == ["read/empty"]
    assert rules(read(b"\n\n , \n")[2]) == ["read/empty"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_never_raise(data: bytes) -> None:
    header, records, _ = read(b"A,B\n" + data)
    assert header is not None
    assert all(len(record.cells) == 2 for record in records)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=8))
def test_generated_csv_text_never_raises(rows: list[list[str]]) -> None:
    text = "\n".join(",".join(cells) for cells in rows)
    read(("X,Y,Z\n" + text).encode("utf-8"), max_span=2)
