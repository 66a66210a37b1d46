"""The skeleton of a CIN census file — ``Message`` > (``Header``?, ``Children`` > ``Child``+) — checked while
it streams, since the whole document is never held in memory to validate at once.

Only the four skeleton names reach Python (lxml filters the rest); anything else at the top two levels is
found among the siblings of the next skeleton element (or at the end of its parent) and reported, as is
stray text between them. Processed children are unlinked at the next child's start, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final, Literal

from lxml import etree

from adapters.cin_census.explanations import local_name
from adapters.cin_census.schemas import element_years
from gateway import Issue, SourceLocation

__all__ = ["SKELETON_TAGS", "Skeleton", "Step"]

SKELETON_TAGS: Final = ("Message", "Header", "Children", "Child")

Step = Literal["header", "child", "none"]
"""What an end event completed: the ``Header``, a ``Child`` of ``Children``, or nothing to process."""

_ALLOWED: Final = {"Message": frozenset({"Header", "Children"}), "Children": frozenset({"Child"})}
_XSI: Final = "{http://www.w3.org/2001/XMLSchema-instance}"
_LOCATION_HINTS: Final = frozenset({_XSI + "schemaLocation", _XSI + "noNamespaceSchemaLocation"})
_TAKES: Final = {"Message": "a Header then Children", "Children": "Child elements only"}
_CHILD_ENDED: Final[tuple[Step, tuple[Issue, ...]]] = ("child", ())
"""What :meth:`Skeleton.end` says for a ``Child`` of ``Children`` (the usual case: one shared tuple)."""


def _stray(text: str | None) -> bool:
    return text is not None and text != "" and not text.isspace()


class Skeleton:
    """Checks the file's top levels; yields ``xsd/`` issues for what does not belong there."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.root: etree._Element | None = None
        self.not_census = False
        self.children_seen = 0
        self._tops: set[str] = set()
        self._header_done = False
        self._checked: dict[str, tuple[etree._Element, etree._Element | None]] = {}
        self._children: etree._Element | None = None
        """The ``Children`` element under ``Message`` that started last (its ``Child`` elements take a fast path)."""

    def _issue(self, rule: str, message: str, line: int | None, path: str) -> Issue:
        return Issue(
            rule=rule, severity="error", message=message, location=SourceLocation(file=self.file, line=line, path=path)
        )

    def _unexpected(self, element: etree._Element, parent: str) -> Issue:
        name = local_name(element.tag)
        known = bool(element_years(name))
        hint = "it belongs elsewhere in the file" if known else "no census year's schema has it"
        return self._issue(
            "xsd/unexpected-element",
            f"{name} is not allowed here in {parent} ({hint}); {parent} takes {_TAKES[parent]}.",
            element.sourceline,
            f"/Message/{name}" if parent == "Message" else f"/Message/Children/{name}",
        )

    def _siblings(self, parent: etree._Element, upto: etree._Element | None) -> Iterator[Issue]:
        """Check ``parent``'s children after the last checked one, up to (not including) ``upto``."""
        name = str(parent.tag)
        path = "/Message" if name == "Message" else "/Message/Children"
        held = self._checked.get(name)
        last = held[1] if held is not None and held[0] is parent else None
        if last is None:
            nodes = list(parent)
            if _stray(parent.text):
                yield self._stray(name, "", parent.sourceline, path)
        else:
            nodes = list(last.itersiblings())
            if _stray(last.tail):
                yield self._stray(name, f" after {local_name(last.tag)}", last.sourceline, path)
        checked = last
        for node in nodes:
            if node is upto:
                break
            checked = node
            tag = node.tag
            if isinstance(tag, str) and tag not in _ALLOWED[name]:
                yield self._unexpected(node, name)
            if _stray(node.tail):
                after = f" after {local_name(tag)}" if isinstance(tag, str) else ""
                yield self._stray(name, after, node.sourceline, path)
        self._checked[name] = (parent, upto if upto is not None else checked)

    def _stray(self, name: str, after: str, line: int | None, path: str) -> Issue:
        return self._issue(
            "xsd/mixed-content", f"{name} contains stray text{after}; only elements are allowed there.", line, path
        )

    def start(self, element: etree._Element) -> Sequence[Issue]:
        """A skeleton element starts: the issues it raises (usually none)."""
        parent = element.getparent()
        children = self._children
        if children is not None and parent is children and element.tag == "Child":
            held = self._checked.get("Children")
            last = held[1] if held is not None and held[0] is children else None
            if last is not None and last.getnext() is element:
                tail = last.tail
                if not tail or tail.isspace():  # the usual case: nothing between the previous child and this one
                    self._checked["Children"] = (children, element)
                    del children[0]  # the previous child (cleared), the only one left before this one: unlink it
                    return ()
            issues = list(self._siblings(children, element))
            while element.getprevious() is not None:
                del children[0]  # processed (and cleared) children and checked strays: unlink them
            return issues
        return list(self._start(element, parent))

    def _start(self, element: etree._Element, parent: etree._Element | None) -> Iterator[Issue]:
        if parent is None:
            self.root = element
            if element.tag != "Message":
                self.not_census = True
                yield self._not_census(element)
            else:
                yield from self._attributes(element, "/Message")
            return
        if self.root is None:  # the first skeleton element is not the root: some other root element
            self.not_census = True
            yield self._not_census(element.getroottree().getroot())
            return
        grand = parent.getparent()
        if grand is None:
            yield from self._siblings(parent, element)
            if element.tag not in _ALLOWED["Message"]:  # a Message or Child directly under Message
                yield self._unexpected(element, "Message")
                return
            if element.tag in self._tops or (element.tag == "Header" and "Children" in self._tops):
                yield self._issue(
                    "xsd/unexpected-element",
                    f"a second or misplaced {element.tag}: Message takes {_TAKES['Message']}.",
                    element.sourceline,
                    f"/Message/{element.tag}",
                )
            self._tops.add(str(element.tag))
            if element.tag == "Children":
                self._children = element
                yield from self._attributes(element, "/Message/Children")
        elif parent.tag == "Children" and grand.getparent() is None and element.tag == "Child":
            yield from self._siblings(parent, element)
            while element.getprevious() is not None:
                del parent[0]  # processed (and cleared) children and checked strays: unlink them

    def end(self, element: etree._Element) -> tuple[Step, Sequence[Issue]]:
        """A skeleton element ends: what it completed, and any skeleton issues."""
        parent = element.getparent()
        if parent is not None and parent is self._children and element.tag == "Child":
            self.children_seen += 1  # the usual case, as below
            return _CHILD_ENDED
        issues: list[Issue] = []
        if parent is None:
            if not self.not_census:
                issues.extend(self._siblings(element, None))
                if "Children" not in self._tops:
                    issues.append(
                        self._issue(
                            "xsd/missing-element",
                            "Message is incomplete: Children is required.",
                            element.sourceline,
                            "/Message",
                        )
                    )
            return "none", issues
        grand = parent.getparent()
        if grand is None:
            if element.tag == "Header" and not self._header_done and "Children" not in self._tops:
                self._header_done = True
                return "header", issues
            if element.tag == "Children":
                issues.extend(self._siblings(element, None))
                if self.children_seen == 0:
                    issues.append(
                        self._issue(
                            "xsd/missing-element",
                            "Children is incomplete: at least one Child is required.",
                            element.sourceline,
                            "/Message/Children",
                        )
                    )
            element.clear(keep_tail=True)
            return "none", issues
        if parent.tag == "Children" and grand.getparent() is None and element.tag == "Child":
            self.children_seen += 1
            return "child", issues
        return "none", issues

    def _attributes(self, element: etree._Element, path: str) -> Iterator[Issue]:
        """``Message`` and ``Children`` take no attributes (bar the schema-location hints, which are ignored)."""
        names = [name for name in element.attrib if name not in _LOCATION_HINTS]
        if names:
            listed = ", ".join(sorted(local_name(name) for name in names))
            yield self._issue(
                "xsd/attribute",
                f"{element.tag} has an attribute the schema does not allow ({listed}).",
                element.sourceline,
                path,
            )

    def _not_census(self, root: etree._Element) -> Issue:
        name = local_name(root.tag)
        return self._issue(
            "xsd/unexpected-element",
            f"the root element is {name}, not Message: this is not a CIN census file",
            root.sourceline,
            f"/{name}",
        )
