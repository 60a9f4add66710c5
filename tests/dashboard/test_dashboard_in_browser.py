"""dashboard.html in a real headless Chromium (Debian's, driven by Playwright), offline: no console
errors, every audited measure has its funnel plot and trend, the scorecard filters work, and a
screenshot is kept where CI (or a person) can look at it."""
import csv
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from audit_rules.catalogue import load_catalogue
from dashboards.figures import rule_slug

try:  # Playwright is a test dependency ([test] extra): missing, the test must fail, not skip
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None

pytestmark = pytest.mark.slow  # `make test-slow` (CI runs it too)

CHROMIUM = os.environ.get("ABC_AUDIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _screenshot_path() -> Path:
    """$ABC_AUDIT_ARTIFACTS/dashboard.png, else a fixed place in the system's temporary folder: not under
    pytest's basetemp, whose older runs pytest deletes."""
    folder = Path(os.environ.get("ABC_AUDIT_ARTIFACTS") or Path(tempfile.gettempdir()) / "abc-audit-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "dashboard.png"


@pytest.fixture(scope="module")
def page(sample_output, request):
    if sync_playwright is None:
        pytest.fail("Playwright is not installed: it is a test dependency (`make install-test`, or "
                    "`pip install -c constraints.txt -e '.[test]'`)")
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: `apt-get install chromium` (.ci/run does this in CI)")
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((sample_output / "dashboard.html").as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0", timeout=120_000)
        screenshot = _screenshot_path()
        screenshot.unlink(missing_ok=True)  # a screenshot left by an earlier run must not pass for this one's
        page.screenshot(path=str(screenshot), full_page=False)
        with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
            print(f"\ndashboard screenshot: {screenshot}")
        yield page, errors, requests, screenshot
        browser.close()


def test_no_console_errors_and_no_network(page):
    _, errors, requests, _ = page
    assert errors == []
    assert all(url.startswith(("file://", "data:", "about:")) for url in requests), requests


def test_every_audited_measure_has_a_rendered_funnel_and_trend(page):
    browser_page = page[0]
    for rule in load_catalogue().audited_rules:
        for kind in ("funnel", "trend"):
            element = browser_page.locator(f"#{kind}-{rule_slug(rule.id)}")
            assert element.count() == 1, (kind, rule.id)
            assert "js-plotly-plot" in (element.get_attribute("class") or ""), (kind, rule.id)


def test_scorecard_lists_every_rule_and_filters_by_icb(page):
    browser_page = page[0]
    rows = browser_page.locator("#scorecard-table tbody tr")
    assert rows.count() == len(load_catalogue().audited_rules)
    national = rows.nth(0).locator("td").nth(2).inner_text()
    browser_page.select_option("#scorecard-area", index=1)
    assert rows.count() == len(load_catalogue().audited_rules)
    assert rows.nth(0).locator("td").nth(2).inner_text() != national


def test_scorecard_period_filter_shows_that_quarters_disclosed_figures(page, sample_output):
    """Every cell of the national scorecard for one quarter, against the national rows of an ICB export."""
    browser_page = page[0]
    quarter = browser_page.locator("#scorecard-period option").nth(4).get_attribute("value")
    browser_page.select_option("#scorecard-area", "national")
    browser_page.select_option("#scorecard-period", quarter)
    export = next((sample_output / "exports" / "icb").glob("*/measures.csv"))
    with export.open(encoding="utf-8") as handle:
        national = {r["rule_id"]: r for r in csv.DictReader(handle)
                    if r["level"] == "national" and r["period"] == quarter}
    rows = browser_page.locator("#scorecard-table tbody tr")
    assert [rows.nth(i).locator("td").nth(0).inner_text() for i in range(3)] == ["QS12-4", "QS12-5", "QS12-6"]
    checked = 0
    for i in range(rows.count()):
        cells = [c.inner_text() for c in rows.nth(i).locator("td").all()]
        expected = national.get(cells[0])
        if expected is None:
            assert cells[2] == "no cases"
            continue
        assert cells[2] == f"{expected['numerator']} / {expected['denominator']}", cells
        if expected["suppressed"] == "true" or not expected["adherence"]:
            assert cells[3] == ("hidden (small numbers)" if expected["suppressed"] == "true" else ""), cells
        else:  # JavaScript's toFixed rounds halves up, Python's format to even: compare within half a digit
            assert abs(float(cells[3].rstrip("%")) - 100 * float(expected["adherence"])) <= 0.05 + 1e-9, cells
        assert cells[6] == {"true": "met", "false": "not met", "": ""}[expected["target_met"]], cells
        assert (cells[7], cells[8]) == (expected["excluded"], expected["insufficient_data"]), cells
        checked += 1
    assert checked > 20


def test_screenshot_is_saved(page):
    screenshot: Path = page[3]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), screenshot
    assert len(data) > 20_000, screenshot
