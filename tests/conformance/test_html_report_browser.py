"""The HTML report in a real headless browser (Debian's chromium and chromium-driver): filters work.

Skipped when /usr/bin/chromium or /usr/bin/chromedriver is absent (install the Debian packages ``chromium``
and ``chromium-driver``); the test installs nothing itself and needs no network.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.cin_census import CinCensusReader
from conformance.catalogue import builtin_catalogue
from conformance.profile import load_profile
from conformance.reports import CheckReport, render
from conformance.runner import check_submission
from gateway import SourceFile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cin-census" / "CIN_Census_2024.xml"

_BROWSER_PRESENT = Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()
if not _BROWSER_PRESENT and os.environ.get("ECM_REQUIRE_SERVICES") == "1":
    # scripts/test installs chromium (scripts/services up): in CI a missing browser is a failure, not a skip.
    pytest.fail("chromium and chromedriver are required (ECM_REQUIRE_SERVICES=1)", pytrace=False)
pytestmark = pytest.mark.skipif(
    not _BROWSER_PRESENT,
    reason="headless browser test needs the Debian packages chromium and chromium-driver",
)


@pytest.fixture(scope="module")
def report() -> CheckReport:
    resolved = load_profile("cin-census-2023-24").resolve(builtin_catalogue())
    result = check_submission([SourceFile.from_path(FIXTURE)], CinCensusReader(), resolved, today=date(2025, 6, 30))
    return CheckReport(profile=resolved, checked_at=datetime(2025, 6, 30, tzinfo=UTC), submissions=[result])


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _visible_rows(driver: object) -> list[object]:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    rows = driver.find_elements(By.CSS_SELECTOR, "#issues tbody tr.issue")  # type: ignore[attr-defined]
    return [row for row in rows if row.is_displayed()]


def _choose(driver: object, select_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    Select(driver.find_element(By.ID, select_id)).select_by_value(value)  # type: ignore[attr-defined]


def test_filters_by_severity_rule_and_child(report: CheckReport, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    page = tmp_path / "report.html"
    page.write_bytes(render(report, "html"))
    issues = list(report.issues())
    severities = Counter(issue.severity for issue in issues)
    browser.get(page.as_uri())  # type: ignore[attr-defined]
    assert browser.title == "Conformance report: cin-census-2023-24"  # type: ignore[attr-defined]
    assert len(_visible_rows(browser)) == len(issues)

    _choose(browser, "filter-severity", "warning")
    rows = _visible_rows(browser)
    assert len(rows) == severities["warning"] > 0
    assert {row.get_attribute("data-severity") for row in rows} == {"warning"}  # type: ignore[attr-defined]

    _choose(browser, "filter-severity", "")
    _choose(browser, "filter-rule", "cin/4180")
    rows = _visible_rows(browser)
    assert len(rows) == 2
    assert {row.get_attribute("data-child") for row in rows} == {"DfEX0000001", "child_fails_assessments"}  # type: ignore[attr-defined]

    _choose(browser, "filter-child", "child_fails_assessments")
    rows = _visible_rows(browser)
    assert [row.get_attribute("data-rule") for row in rows] == ["cin/4180"]  # type: ignore[attr-defined]
    shown = browser.find_element(By.ID, "shown").text  # type: ignore[attr-defined]
    assert shown == f"1 of {len(issues)} issues shown"

    browser.find_element(By.ID, "filter-reset").click()  # type: ignore[attr-defined]
    assert len(_visible_rows(browser)) == len(issues)


def test_filters_are_read_from_the_address(report: CheckReport, browser: object, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(render(report, "html"))
    errors = sum(1 for issue in report.issues() if issue.severity == "error")
    browser.get(page.as_uri() + "#severity=error")  # type: ignore[attr-defined]
    rows = _visible_rows(browser)
    assert len(rows) == errors
    assert {row.get_attribute("data-severity") for row in rows} == {"error"}  # type: ignore[attr-defined]
