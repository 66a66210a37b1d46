"""ics-xml: read + validate + map (with lineage) throughput against the floor, writer throughput, peak memory.

Usage::

    .venv/bin/python bench/ics_xml_read.py                    # 2,000 synthetic children, best of 3
    .venv/bin/python bench/ics_xml_read.py --children 5000 --repeat 5
    .venv/bin/python bench/ics_xml_read.py --memory           # 20,000 children: peak RSS of a streaming read

Input: ``adapters.ics_xml.synthetic`` children (carers, involvements, assessments with child-seen visits,
CAFs with consents; about 7.5 KB of XML and ~140 canonical fields with lineage per child).

* **gateway**: ``IcsXmlReader.read`` on the message, every event consumed: hardened streaming parse,
  per-child lxml XSD validation, decoding with lineage, pydantic validation of each ``ChildRecord``.
* **floor**: hardened lxml parse of the same bytes plus lxml XSD validation of the whole tree.
* **writer**: ``write_message`` of the same records (encode, per-child XSD validation, serialise).

Gateway and floor run interleaved in one process, best of ``--repeat``; the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters._xml import parse_hardened  # noqa: E402
from adapters.ics_xml.decoder import _Decoding, decode_child  # noqa: E402  # private: to time the walk alone
from adapters.ics_xml.elements import CHILD_RECORD  # noqa: E402
from adapters.ics_xml.reader import IcsXmlReader  # noqa: E402
from adapters.ics_xml.schema import ics_schema, qualified  # noqa: E402
from adapters.ics_xml.synthetic import generate_children  # noqa: E402
from adapters.ics_xml.writer import write_message  # noqa: E402
from gateway import ChildRecord, Issue, SourceFile  # noqa: E402

STREAM = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from gateway import ChildRecord, Issue, SourceFile
from adapters.ics_xml.reader import IcsXmlReader
if {read} is None:
    pass  # imports only: the baseline
elif {read}:
    records = issues = 0
    for event in IcsXmlReader().read([SourceFile.from_path(Path({path!r}))]):
        records += isinstance(event, ChildRecord)
        issues += isinstance(event, Issue)
    assert (records, issues) == ({children}, 0), (records, issues)
else:
    from adapters._xml import parse_hardened
    tree = parse_hardened(Path({path!r}).read_bytes())
# VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork+exec into ru_maxrss.
print(next(int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def _best(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _rate(label: str, children: int, seconds: float) -> str:
    return f"  {label:26}: {children / seconds:8.0f} children/s  ({seconds * 1e6 / children:6.0f} us each)"


def _write(records: list[ChildRecord]) -> bytes:
    return write_message(
        records, message_id="bench", supplier="bench", la_code="201", sent_at=datetime(2026, 1, 15, tzinfo=UTC)
    )


def throughput(children: int, repeat: int) -> None:
    records = [child.record for child in generate_children(children, seed=1)]
    document = _write(records)
    schema = ics_schema()

    def gateway() -> None:
        count = 0
        for event in IcsXmlReader().read([SourceFile("bench.xml", data=document)]):
            if isinstance(event, Issue):
                raise RuntimeError(f"unexpected issue {event.rule}")
            count += isinstance(event, ChildRecord)
        if count != children:
            raise RuntimeError(f"read {count} of {children} children")

    def floor() -> None:
        if not schema.validator.validate(parse_hardened(document)):
            raise RuntimeError("the synthetic message is not schema-valid")

    gateway(), floor()  # warm up: schema compiled, caches filled
    gateway_s = floor_s = float("inf")
    for _ in range(repeat):  # interleaved, so both see the same machine
        gateway_s = min(gateway_s, _best(gateway, 1))
        floor_s = min(floor_s, _best(floor, 1))
    writer_s = _best(lambda: _write(records), repeat)

    root = parse_hardened(document)
    elements = root.findall(f"{qualified('Children')}/{qualified('Child')}")
    parse_s = _best(lambda: parse_hardened(document), repeat)
    validate_s = _best(lambda: [schema.validator.validate(element) for element in elements], repeat)
    decode_s = _best(lambda: [decode_child(e, file="bench.xml", xpath="/x") for e in elements], repeat)
    decoded = [decode_child(e, file="bench.xml", xpath="/x") for e in elements]
    lineage = sum(len(record.lineage) for record in decoded) / children

    def walk() -> list[dict[str, object]]:  # the decoder's own walk, without the final validation
        out = []
        for element in elements:
            decoding = _Decoding("bench.xml")
            data = decoding.model(CHILD_RECORD.members, CHILD_RECORD.fixed, element, "/x", "")
            data["lineage"] = decoding.built_lineage()
            out.append(data)
        return out

    walked = walk()
    walk_s = _best(walk, repeat)
    pydantic_s = _best(lambda: [ChildRecord.model_validate(data) for data in walked], repeat)
    bare = [{key: value for key, value in data.items() if key != "lineage"} for data in walked]
    bare_s = _best(lambda: [ChildRecord.model_validate(data) for data in bare], repeat)

    kib = len(document) / children / 1024
    print(f"ics-xml read, {children} synthetic children ({kib:.1f} KiB and {lineage:.0f} lineage entries per child)")
    print(_rate("gateway read+validate+map", children, gateway_s))
    print(_rate("floor lxml parse+XSD", children, floor_s))
    print(f"  ratio gateway / floor     : {gateway_s / floor_s:8.1f} x")
    print(_rate("writer (encode+XSD+write)", children, writer_s))
    print("  breakdown per child (whole-tree passes, not the streaming path):")
    print(f"    hardened parse          : {parse_s * 1e6 / children:6.0f} us")
    print(f"    lxml XSD per <Child>    : {validate_s * 1e6 / children:6.0f} us")
    print(f"    decode + lineage + model: {decode_s * 1e6 / children:6.0f} us, of which")
    print(f"      walk (text, lineage data): {walk_s * 1e6 / children:6.0f} us")
    print(
        f"      pydantic, record + lineage: {pydantic_s * 1e6 / children:6.0f} us"
        f"  (the record alone: {bare_s * 1e6 / children:.0f} us)"
    )


def memory(children: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xml"
        with path.open("wb") as handle:
            for start in range(0, children, 1000):
                batch = [child.record for child in generate_children(min(1000, children - start), seed=start)]
                chunk = _write(batch)
                head, _, rest = chunk.partition(b"  <Children>\n")
                body, _, _ = rest.rpartition(b"  </Children>\n")
                if start == 0:
                    handle.write(head + b"  <Children>\n")
                handle.write(body)
            handle.write(b"  </Children>\n</IcsExchange>\n")
        size = path.stat().st_size / 2**20
        results = {}
        modes = (
            ("imports only (baseline)", None),
            ("streaming read (gateway)", True),
            ("whole-tree lxml parse", False),
        )
        for label, read in modes:
            script = STREAM.format(root=str(ROOT), path=str(path), read=read, children=children)
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
            results[label] = int(out.stdout.strip())
        print(f"ics-xml peak memory, {children} children ({size:.0f} MiB file), peak RSS (VmHWM) of a fresh process:")
        for label, mib in results.items():
            print(f"  {label:26}: {mib:6d} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, pid {os.getpid()}")
    if args.memory:
        memory(args.children or 20_000)
    else:
        throughput(args.children or 2000, args.repeat)


if __name__ == "__main__":
    main()
