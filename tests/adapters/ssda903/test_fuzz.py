"""Generated and mutated submissions never make the reader raise; every problem comes back as an Issue."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.ssda903.reader import Ssda903Reader
from adapters.ssda903.synthetic import generate_submission, generate_xml
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader

BASE = generate_submission(4, year=2024, seed=11)
BASE_XML = generate_xml(3, year=2025, seed=12)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(files: list[SourceFile], **options: str) -> None:
    events = list(Ssda903Reader(**options).read(files))  # type: ignore[arg-type]
    assert isinstance(events[0], SubmissionHeader)
    for event in events[1:]:
        assert isinstance(event, ChildRecord | Issue)
        if isinstance(event, Issue):
            assert event.rule and event.message


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    raw = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "splice"]))
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        if action == "flip" and raw:
            raw[at] = draw(st.integers(0, 255))
        elif action == "insert":
            raw[at:at] = draw(
                st.sampled_from(
                    [
                        b'"',
                        b",",
                        b"\n",
                        b"\r",
                        b"\x00",
                        b"=",
                        b"\xff",
                        b"\xef\xbb\xbf",
                        b"31/02/2020",
                        b"<!DOCTYPE x>",
                        b"&amp;",
                        b"<CHILD>",
                    ]
                )
            )
        elif action == "delete" and raw:
            del raw[at : at + draw(st.integers(1, 20))]
        else:
            raw[at:at] = draw(st.binary(max_size=30))
    return bytes(raw)


@SETTINGS
@given(st.data())
def test_mutated_csv_submissions(data: st.DataObject) -> None:
    files = [
        SourceFile(name=name, data=data.draw(mutated(content)) if data.draw(st.booleans()) else content)
        for name, content in BASE
    ]
    check(files, la_code="201")


@SETTINGS
@given(st.data())
def test_mutated_xml(data: st.DataObject) -> None:
    check([SourceFile(name="r.xml", data=data.draw(mutated(BASE_XML)))], la_code="201")


COLUMNS = st.sampled_from(
    [
        "CHILD",
        "SEX",
        "DOB",
        "ETHNIC",
        "UPN",
        "DECOM",
        "PLACE",
        "REVIEW",
        "MISSING",
        "LA",
        "YEAR",
        "DUC",
        "SW_ID",
        "junk",
    ]
)
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["01/02/2020", "2020-02-01", "1", "M", "WBRI", "UN1", "Barking and Dagenham", "2023", "=1+1"]),
)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.lists(COLUMNS, min_size=1, max_size=8, unique=True), st.lists(st.lists(CELLS, max_size=9), max_size=5)
        ),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from([None, "2019", "2025", "bad"]),
)
def test_generated_csv_files(tables: list[tuple[list[str], list[list[str]]]], year: str | None) -> None:
    files = []
    for index, (header, rows) in enumerate(tables):
        text = ",".join(header) + "\n" + "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows)
        files.append(SourceFile(name=f"f{index}.csv", data=text.encode("utf-8", errors="surrogatepass")))
    options = {"year": year} if year else {}
    check(files, **options)
