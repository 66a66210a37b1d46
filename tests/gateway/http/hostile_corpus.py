"""The adapters' hostile-input corpus, as HTTP submissions: what to send, how, and what must come back.

The JSON corpora are the adapters' own (``tests/adapters/fhir/test_hostile.py`` and
``tests/adapters/dfe_api/test_hostile.py`` keep them as module dictionaries); the XML and CSV attacks are
written here the same way the adapters' tests write them, for each XML format the gateway reads
(CIN census, ics-xml, SSDA903 XML). Every external reference points at a canary: a local file or DTD holding
:data:`MARKER`, or a local HTTP server that answers with :data:`MARKER` and counts requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from tests.adapters.dfe_api.test_hostile import HOSTILE as DFE_HOSTILE
from tests.adapters.fhir.test_hostile import HOSTILE as FHIR_HOSTILE
from tests.adapters.ics_xml.documents import child, message

__all__ = ["MARKER", "Hostile", "Targets", "corpus"]

MARKER: Final = "CANARY-1f6e-api-hostile"
"""In the canary file, the canary DTD and every canary HTTP answer: must never appear in a response or a log."""

ROOT: Final = Path(__file__).resolve().parents[3]
CENSUS: Final = (ROOT / "tests/fixtures/cin-census/cin-2022-valid.xml").read_bytes()

XML: Final = "application/xml"
CSV: Final = "text/csv"
JSON: Final = "application/json"
FHIR: Final = "application/fhir+json"
JSONL: Final = "application/x-ndjson"


@dataclass(frozen=True)
class Targets:
    """Where the attacks point: a secret file, a DTD file defining ``&leak;``, and a canary HTTP server."""

    secret: Path
    dtd: Path
    server: str


@dataclass(frozen=True)
class Hostile:
    """One attack. ``rule`` is the reader rule that must name the problem (or ``None`` when only a 4xx will
    do); ``severity`` is what that issue must be: ``error`` (the submission is refused or rejected) or
    ``warning`` (read as text, flagged: CSV formula cells). ``echo`` are fragments of the payload that must
    not be repeated in any answer."""

    name: str
    body: bytes
    content_type: str
    format_id: str | None
    rule: str | None
    severity: Literal["error", "warning"] = "error"
    echo: tuple[str, ...] = ()


def _laughs(root: str, body: str = "&l9;") -> str:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return f'<!DOCTYPE {root} [<!ENTITY l0 "lol">{entities}]>{body}'


def _xml_attacks(root: str, document: str, at: Targets) -> Iterator[tuple[str, str, str]]:
    """(name, document, rule) for one XML format. ``document`` holds ``{BODY}`` where entities go."""
    secret, dtd, server = at.secret.as_uri(), at.dtd.as_uri(), at.server
    with_body = document.replace("{BODY}", "&leak;")
    yield "xxe-file", f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "{secret}">]>{with_body}', "read/unsafe-xml"
    yield "xxe-http", f'<!DOCTYPE {root} [<!ENTITY leak SYSTEM "{server}/x">]>{with_body}', "read/unsafe-xml"
    yield (
        "xxe-parameter-entity",
        f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{server}/p.dtd"> %p;]>{with_body}',
        "read/unsafe-xml",
    )
    yield "external-dtd-file", f'<!DOCTYPE {root} SYSTEM "{dtd}">{with_body}', "read/unsafe-xml"
    yield "external-dtd-http", f'<!DOCTYPE {root} PUBLIC "-//X//EN" "{server}/e.dtd">{with_body}', "read/unsafe-xml"
    laughs = _laughs(root).replace("&l9;", "")
    yield "billion-laughs", laughs + document.replace("{BODY}", "&l9;"), "read/unsafe-xml"
    big = "A" * 100_000
    quadratic = f'<!DOCTYPE {root} [<!ENTITY a "{big}">]>' + document.replace("{BODY}", "&a;" * 10_000)
    yield "quadratic-blowup", quadratic, "read/unsafe-xml"
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret}" parse="text"/>'
    yield "xinclude-file", document.replace("{BODY}", include), "read/unsafe-xml"


def _xml(at: Targets) -> Iterator[Hostile]:
    census = CENSUS.decode().replace("<Children>", "<Children>{BODY}", 1)
    census = census[census.index("<Message") :]  # the DOCTYPE goes before the root element
    ics = message(child("T1", "<ShieldingReason>{BODY}</ShieldingReason>")).decode()
    ics = ics[ics.index("<IcsExchange") :]
    ssda = "<EXPSSDA903><CHILD><HEADER><CHILDID>{BODY}</CHILDID></HEADER></CHILD></EXPSSDA903>"
    for format_id, root, document in (
        ("cin-census-xml", "Message", census),
        ("ics-xml", "IcsExchange", ics),
        ("ssda903-csv", "EXPSSDA903", ssda),
    ):
        for name, text, rule in _xml_attacks(root, document, at):
            yield Hostile(f"{format_id}/{name}", text.encode(), XML, format_id, rule, echo=("lollollol", "AAAAAAAAAA"))
    depth = 100_000
    deep = b"<Message><Children><Child>" + b"<a>" * depth + b"</a>" * depth + b"</Child></Children></Message>"
    yield Hostile("cin-census-xml/deep-nesting", deep, XML, "cin-census-xml", "read/too-deep")
    nested = "<Names>" + "<Name>" * depth + "</Name>" * depth + "</Names>"
    yield Hostile("ics-xml/deep-nesting", message(child("T1", nested)), XML, "ics-xml", "read/too-deep")
    node = b"x" * (20 * 1024 * 1024)
    big = b"<Message><Children><Child><ChildIdentifiers><LAchildID>" + node
    big += b"</LAchildID></ChildIdentifiers></Child></Children></Message>"
    yield Hostile("cin-census-xml/20-mb-text-node", big, XML, "cin-census-xml", "read/too-large", echo=("xxxxxxxxxx",))
    shielding = message(child("T1", f"<ShieldingReason>{'a' * 20_000_000}</ShieldingReason>"))
    yield Hostile("ics-xml/20-mb-text-node", shielding, XML, "ics-xml", "read/too-large", echo=("aaaaaaaaaa",))
    million = CENSUS.replace(b"<Disability>HAND</Disability>", b"<Disability>HAND</Disability>" * 1_000_000)
    yield Hostile("cin-census-xml/million-elements", million, XML, "cin-census-xml", "read/too-large")
    for name, body in (("nul-bytes", b"\x00\x01\x02binary"), ("truncated", CENSUS[:1500])):
        yield Hostile(f"cin-census-xml/{name}", body, XML, "cin-census-xml", None)
    yield Hostile(
        "cin-census-xml/latin-1-bytes", CENSUS.replace(b"DfEX0000001", b"D\xe9f"), XML, "cin-census-xml", None
    )


def _json() -> Iterator[Hostile]:
    for name, (body, rule) in sorted(FHIR_HOSTILE.items()):
        yield Hostile(f"fhir-r4-json/{name}", body, FHIR, None, rule, echo=("Brook", "Bront"))
    for name, (body, rule) in sorted(DFE_HOSTILE.items()):
        yield Hostile(f"dfe-csc-api-json/{name}", body, JSON, "dfe-csc-api-json", rule, echo=("Brook", "Bront"))
    depth = 100_000
    for name, line in (
        ("deep-array", b"[" * depth + b"]" * depth),
        ("nan", b'{"child": {"local_ids": [{"la_code": "201", "la_child_id": "A1"}]}, "x": NaN}'),
        ("huge-integer", b'{"child": {}, "n": ' + b"7" * 5000 + b"}"),
        ("duplicate-key", b'{"child": {"sex": "M", "sex": "F", "local_ids": []}}'),
        ("nul-in-string", b'{"child": {"local_ids": [{"la_code": "201", "la_child_id": "Bront\\u0000e"}]}}'),
    ):
        # None: any read/* error names it (depth, number, duplicate key, control character)
        yield Hostile(f"canonical-jsonl/{name}", line + b"\n", JSONL, None, None, echo=("Bront",))


_PEOPLE: Final = b"la_code,la_child_id,given_name,family_name,birth_date\n"


def _csv() -> Iterator[Hostile]:
    formula = _PEOPLE + b'201,P1,"=HYPERLINK(""http://x.invalid"")",Doe,2015-01-01\n201,P2,@SUM(A1),Roe,2015-01-02\n'
    yield Hostile(
        "person-csv/formula-cells", formula, CSV, "person-csv", "read/csv-formula", "warning", ("HYPERLINK", "@SUM")
    )
    yield Hostile("person-csv/nul", _PEOPLE + b"201,P1,Ann\x00e,Doe,2015-01-01\n", CSV, "person-csv", "read/nul-byte")
    huge = _PEOPLE + b"201,P1," + b"A" * 2_000_000 + b",Doe,2015-01-01\n"
    yield Hostile("person-csv/huge-field", huge, CSV, "person-csv", "read/csv-field-too-large", echo=("AAAAAAAAAA",))
    yield Hostile("person-csv/empty", b"", CSV, "person-csv", None)
    yield Hostile("unknown/binary", b"\x00\x01\x02\xff binary", "application/octet-stream", None, None)


def corpus(at: Targets) -> list[Hostile]:
    """Every attack, XML first."""
    return [*_xml(at), *_json(), *_csv()]
