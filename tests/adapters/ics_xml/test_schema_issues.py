"""Schema failures explained as issues: what was expected, where, and never the value sent."""

from __future__ import annotations

import pytest

from tests.adapters.ics_xml.documents import child, message
from tests.adapters.ics_xml.helpers import read_document

XSI = ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
CHILD1 = "/IcsExchange/Children/Child[1]"


@pytest.mark.parametrize(
    ("body", "rule", "path", "words"),
    [
        ("<Sex xsi:type='NoSuchType'>M</Sex>", "xsd/invalid", f"{CHILD1}/Sex/@xsi:type", "xsi:type of <Sex>"),
        ("<Sex>m</Sex>", "xsd/invalid-value", f"{CHILD1}/Sex", "only in letter case"),
        ("<BirthDate xsi:nil='true'/>", "xsd/invalid-value", f"{CHILD1}/BirthDate", "xsi:nil"),
        ("Kept secret", "xsd/text-not-allowed", CHILD1, "text is not allowed directly inside <Child>"),
        (
            "<o:Sex xmlns:o='urn:other'>M</o:Sex>",
            "xsd/unexpected-element",
            f"{CHILD1}/Sex (namespace urn:other)",
            "namespace urn:other",
        ),
        (
            "<Names><Name nickname='Kept secret'/></Names>",
            "xsd/unexpected-attribute",
            f"{CHILD1}/Names/Name[1]/@nickname",
            "nickname",
        ),
        (
            "<Names><Name use='Nicola'/></Names>",
            "xsd/invalid-attribute",
            f"{CHILD1}/Names/Name[1]/@use",
            "usual, former, preferred, alias",
        ),
        (
            "<Names><Name><Family>Kept<b>secret</b></Family></Name></Names>",
            "xsd/unexpected-element",
            f"{CHILD1}/Names/Name[1]/Family",
            "cannot contain elements",
        ),
        ("<Disabilities/>", "xsd/missing-element", f"{CHILD1}/Disabilities", "<Disability> is missing"),
        (
            "<ShieldingReason>" + "x" * 100_001 + "</ShieldingReason>",
            "xsd/invalid-value",
            f"{CHILD1}/ShieldingReason",
            "100000 characters",
        ),
        (
            "<CAFAssessments><CAFAssessment><CAFId>F</CAFId><Version>0</Version><Status>draft</Status>"
            "</CAFAssessment></CAFAssessments>",
            "xsd/invalid-value",
            f"{CHILD1}/CAFAssessments/CAFAssessment[1]/Version",
            "<Version>",
        ),
        (
            "<Consents><Consent><ConsentId>K</ConsentId><Purpose>caf_sharing</Purpose><GivenByRole>child</GivenByRole>"
            "<GivenAt>2025-01-01T10:00:00</GivenAt></Consent></Consents>",
            "xsd/invalid-value",
            f"{CHILD1}/Consents/Consent[1]/GivenAt",
            "time zone",
        ),
    ],
    ids=[
        "unknown-xsi-type",
        "code-in-lower-case",
        "xsi-nil",
        "stray-text",
        "foreign-namespace",
        "unknown-attribute",
        "bad-attribute-code",
        "element-in-text",
        "empty-wrapper",
        "too-long",
        "version-0",
        "instant-without-zone",
    ],
)
def test_each_kind_of_schema_failure_is_explained_and_located(body: str, rule: str, path: str, words: str) -> None:
    outcome = read_document(message(child("T1", body), root_attributes=XSI))
    assert outcome.records == []
    issues = [(issue.rule, issue.location.path if issue.location else None) for issue in outcome.issues]
    assert (rule, path) in issues, issues
    explained = next(
        issue for issue in outcome.issues if (issue.rule, issue.location and issue.location.path) == (rule, path)
    )
    assert words in explained.message
    assert explained.location is not None and explained.location.line == 5
    assert explained.child == "T1"
    for issue in outcome.issues:
        assert "secret" not in issue.message and "Nicola" not in issue.message
