"""SSDA903 as XML: the same return as the CSV files, one ``CHILD`` element per child.

Shape (after the DfE's 903 XML and the community validator's reader)::

    <EXPSSDA903>                       any root name
      <CHILD>
        <HEADER>
          <CHILDID/> <UPN/> <SEX/> <DOB/> <ETHNIC/> <MOTHER/> <MC_DOB/>   header columns
          <UASC/> <DUC/>  <IN_TOUCH/> <ACTIV/> <ACCOM/>  <DATE_INT/> ...  uasc, oc3, ad1 columns
                                                 (a uasc row when UASC is 1 or DUC has a date)
          <AREVIEW>...</AREVIEW>  <AMISSING>...</AMISSING>  <OC2>...</OC2>
          <PERMANENCE>...</PERMANENCE>  <AD_PLACED>...</AD_PLACED>  <SW_EPISODE>...</SW_EPISODE>
        </HEADER>
        <EPISODE> <DECOM/> ... <PL/> ... </EPISODE>                         PL is the CSV's PLACE
      </CHILD>
    </EXPSSDA903>

Each CHILD becomes rows of the CSV tables (``CHILDID`` -> ``CHILD``, ``PL`` -> ``PLACE``), each value
located by line and XPath and named by its XML element. Parsed with the hardened parser, streaming.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, Final

from lxml import etree

from adapters._xml import UnsafeXmlError, iterparse_hardened
from adapters.ssda903.rows import TableRow
from adapters.ssda903.tables import table_columns
from gateway import Issue, SourceFile, SourceLocation

__all__ = ["DATA_ONLY", "GROUP_TABLES", "iter_xml_rows"]

DATA_ONLY: Final = True
"""Parse without comments, processing instructions and the indentation between elements (see
:func:`~adapters._xml.iterparse_hardened`): a value split by a comment reads whole, as a schema reads it
(before, the element holding the comment was taken for a group: the value was lost, and with ``CHILDID``
the whole child)."""

GROUP_TABLES: Final[dict[str, str]] = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "OC2": "oc2",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
    "SW_EPISODE": "sw_episodes",
}
_RENAMED: Final = {"CHILDID": "CHILD", "PL": "PLACE"}
_HEADER_TABLES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    # table: (trigger element, columns taken from the HEADER element)
    "uasc": ("DUC", ("CHILD", "SEX", "DOB", "DUC")),
    "oc3": ("IN_TOUCH", ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")),
    "ad1": (
        "DATE_INT",
        ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    ),
}
_HEADER_COLUMNS: Final = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")


def _name(element: Any) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None  # comment or processing instruction
    return tag.rpartition("}")[2]  # the local name of ``{namespace}name`` (as etree.QName gives it, faster)


def _leaves(element: Any, path: str, file: str) -> tuple[dict[str, str], dict[str, dict[str, Any]], list[Any]]:
    values: dict[str, str] = {}
    locations: dict[str, dict[str, Any]] = {}
    groups: list[Any] = []
    for sub in element:
        tag = _name(sub)
        if tag is None:
            continue
        if len(sub):
            groups.append(sub)
            continue
        if tag in GROUP_TABLES:
            continue  # an empty group (``<OC2/>``): nothing to read, and not a value
        key = _RENAMED.get(tag, tag)
        values[key] = sub.text or ""
        locations[key] = {"file": file, "line": sub.sourceline, "path": f"{path}/{tag}", "column": tag}
    return values, locations, groups


def _row(
    table: str, values: dict[str, str], locations: dict[str, dict[str, Any]], *, element: Any, path: str, file: str
) -> TableRow:
    return TableRow(
        table=table, values=values, file=file, row=None, line=element.sourceline, locations=locations, path=path
    )


@cache
def _known_header_leaves() -> frozenset[str]:
    columns = {"UASC", *_HEADER_COLUMNS}
    for _, names in _HEADER_TABLES.values():
        columns.update(names)
    return frozenset(columns)


def _is_uasc(values: dict[str, str]) -> bool:
    """The child was UASC: ``UASC`` is 1, or a date UASC ceased is given (``UASC`` 0 with an empty ``DUC``
    element is not UASC)."""
    return values.get("UASC", "").strip() == "1" or bool(values.get("DUC", "").strip())


def _tags(locations: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(CSV column name, XML element name) of each leaf."""
    for key, where in locations.items():
        yield key, str(where.get("column", key))


def _child_rows(child: Any, base: str, file: str, unknown: set[str]) -> Iterator[TableRow | Issue]:
    header = next((sub for sub in child if _name(sub) == "HEADER"), None)
    if header is None:
        yield Issue(
            rule="read/ssda903/xml-no-header",
            severity="error",
            message="the CHILD element has no HEADER; the child was skipped",
            location=SourceLocation(file=file, line=child.sourceline, path=base),
        )
        return
    head_path = f"{base}/HEADER"
    values, locations, groups = _leaves(header, head_path, file)
    shared: dict[str, str] = {key: values[key] for key in ("CHILD", "DOB", "SEX") if key in values}
    shared_at: dict[str, dict[str, Any]] = {key: locations[key] for key in shared}
    known = _known_header_leaves()
    unknown.update(key_tag for key, key_tag in _tags(locations) if key not in known)
    yield _row(
        "header",
        {k: values[k] for k in _HEADER_COLUMNS if k in values},
        {k: locations[k] for k in _HEADER_COLUMNS if k in locations},
        element=header,
        path=head_path,
        file=file,
    )
    for header_table, (trigger, columns) in _HEADER_TABLES.items():
        if trigger in values if header_table != "uasc" else _is_uasc(values):
            yield _row(
                header_table,
                {k: values[k] for k in columns if k in values},
                {k: locations[k] for k in columns if k in locations},
                element=header,
                path=head_path,
                file=file,
            )
    counts: dict[str, int] = {}
    for group in groups:
        tag = _name(group) or ""
        table = GROUP_TABLES.get(tag)
        if table is None:
            unknown.add(tag)
            continue
        counts[tag] = counts.get(tag, 0) + 1
        path = f"{head_path}/{tag}[{counts[tag]}]"
        group_values, group_locations, _ = _leaves(group, path, file)
        columns = table_columns().get(table, ())
        unknown.update(key_tag for key, key_tag in _tags(group_locations) if key not in columns)
        yield _row(
            table, {**shared, **group_values}, {**shared_at, **group_locations}, element=group, path=path, file=file
        )
    episodes = 0
    for sub in child:
        sub_tag = _name(sub)
        if sub_tag == "EPISODE":
            episodes += 1
            path = f"{base}/EPISODE[{episodes}]"
            episode_values, episode_locations, _ = _leaves(sub, path, file)
            unknown.update(tag for key, tag in _tags(episode_locations) if key not in table_columns()["episodes"])
            if "CHILD" in shared:
                episode_values.setdefault("CHILD", shared["CHILD"])
                episode_locations.setdefault("CHILD", shared_at["CHILD"])
            yield _row("episodes", episode_values, episode_locations, element=sub, path=path, file=file)
        elif sub_tag is not None and sub_tag != "HEADER":
            unknown.add(sub_tag)


def iter_xml_rows(source: SourceFile) -> Iterator[TableRow | Issue]:
    """The table rows of a 903 XML file, with XML problems as issues (never raises on bad data)."""
    file = source.name
    unknown: set[str] = set()
    root_name = "*"
    count = 0
    try:
        with source.open() as stream:
            for _event, element in iterparse_hardened(
                stream,
                events=("end",),
                tag="CHILD",
                remove_blank_text=DATA_ONLY,
                remove_comments=DATA_ONLY,
                remove_pis=DATA_ONLY,
            ):
                parent = element.getparent()
                if parent is not None:
                    root_name = _name(parent) or "*"
                count += 1
                yield from _child_rows(element, f"/{root_name}/CHILD[{count}]", file, unknown)
                element.clear()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except UnsafeXmlError as exc:
        yield Issue(rule="read/unsafe-xml", severity="error", message=str(exc), location=SourceLocation(file=file))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        yield Issue(
            rule="read/xml-syntax",
            severity="error",
            message="the file is not well-formed XML; reading stopped here"
            + (f" after {count} children" if count else ""),
            location=SourceLocation(file=file, line=line),
        )
    for tag in sorted(unknown):
        yield Issue(
            rule="read/ssda903/xml-unknown-element",
            severity="warning",
            message=f"element {tag} is not part of the SSDA903 return and was ignored",
            location=SourceLocation(file=file, path=f"//{tag}"),
        )
    if count == 0:
        yield Issue(
            rule="read/ssda903/xml-no-children",
            severity="error",
            message="the file has no CHILD elements",
            location=SourceLocation(file=file),
        )
