"""The review pack (exports/<provider>/review.html) of the bundled sample's largest provider in a real
headless Chromium, offline: no console errors, a case opens, and its timeline draws every event of its
patient (regimens as bars), the events the rule's evidence names in red. Its size and load time are
printed (they go in the issue notes)."""
import json
import re
import time

import pytest

from tests.dashboard.test_dashboard_in_browser import CHROMIUM, sync_playwright

pytestmark = pytest.mark.slow  # `make test-slow` (CI runs it too)


def test_a_case_opens_with_its_patients_timeline(sample_output, request):
    if sync_playwright is None or CHROMIUM is None:
        pytest.fail("Playwright and Chromium are needed (`make install-test`; .ci/run installs chromium)")
    pages = sorted((sample_output / "exports").glob("*/review.html"), key=lambda p: p.stat().st_size)
    largest = pages[-1]
    data = json.loads(re.search(r'<script type="application/json" id="review-data">(.*?)</script>',
                                largest.read_text(encoding="utf-8"), re.S).group(1))
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(offline=True, viewport={"width": 1400, "height": 900}).new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        started = time.perf_counter()
        page.goto(largest.as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - started
        first_rule = data["rule_order"][0]
        page.locator(f'details[data-rule="{first_rule}"] summary').click()
        page.locator(f'details[data-rule="{first_rule}"] tr.case').first.click()
        page.wait_for_function("document.getElementById('timeline').data !== undefined", timeout=60_000)
        drawn = page.evaluate("""(() => { var d = document.getElementById('timeline').data;
            return {bars: d[0].x.length, points: d[1].x.length,
                    red: d[0].marker.color.concat(d[1].marker.color).filter(c => c === '#d5281b').length}; })()""")
        shown = page.locator("#case-text").inner_text()
        # a 1.3.1 case's evidence names its first-line regimen: that bar is drawn in red
        page.select_option("#rule-filter", "1.3.1")
        page.locator('details[data-rule="1.3.1"] summary').click()
        with_line = [json.loads(c[9]).get("first_line_regimen_id") for c in data["cases"] if c[0] == "1.3.1"]
        page.locator('details[data-rule="1.3.1"] tr.case').nth(next(i for i, r in enumerate(with_line) if r)).click()
        red_regimens = page.evaluate("""(() => document.getElementById('timeline').data[0].marker.color
            .filter(c => c === '#d5281b').length)()""")
        browser.close()
    assert red_regimens >= 1
    case = next(c for c in data["cases"] if c[0] == first_rule)
    events = data["events"][case[1]]
    assert errors == []
    assert all(url.startswith(("file://", "data:", "about:")) for url in requests), requests
    assert drawn["bars"] == sum(1 for e in events if e[2]) and drawn["points"] == sum(1 for e in events if not e[2])
    assert drawn["bars"] + drawn["points"] > 0
    assert case[5] in shown  # the reason, as the case list gives it
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\nreview pack {largest.parent.name}: {largest.stat().st_size:,} bytes, {len(data['cases'])} cases, "
              f"loaded in {loaded:.2f} s; case {case[0]} of {case[1]}: {drawn}")
