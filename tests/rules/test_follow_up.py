"""Windows still open at the end of follow-up: a unit whose numerator is not yet met and whose
window ends after the extract's last date is excluded as follow_up_incomplete, not judged early.
Both sides of the edge, precedence against death and adherence, the configured date against the
latest recorded date, and rules whose numerator is a recorded fact (no window to wait for)."""
import json

import pytest

from pipelines.config import ConfigError, load_config

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


def _extract() -> Extract:
    x = Extract()
    x.patient("NONE").metastatic().pathology()                                    # nothing yet
    x.patient("DONE").metastatic().pathology().care(20, "key_worker_assigned")    # met early
    x.patient("DIED", date_of_death=day(50)).metastatic().pathology()             # died in window
    x.patient("CHEMO").metastatic().pathology().regimen("docetaxel", start=10)    # first line given
    x.patient("SINGLE").metastatic().pathology().radiotherapy("C1", start=5, dose_gy=20, fractions=5)
    return x


def _run(tmp_path, follow_up_end: str):
    config = tmp_path / "config.yaml"
    config.write_text(f"timeline:\n  follow_up_end: {follow_up_end}\n", encoding="utf-8")
    return run_audit(_extract().write(tmp_path / "extract"), tmp_path, config, reports=True)


@pytest.mark.parametrize("follow_up_end, expected", [
    (day(89), "excluded"),      # QS12-6 window (key worker by index + 90) still open
    (day(90), "non_adherent"),  # closes on the last day of follow-up: judged
])
def test_window_edge_against_the_configured_end_of_follow_up(tmp_path, follow_up_end, expected):
    run = _run(tmp_path, follow_up_end)
    row = run.outcomes("QS12-6")[("NONE", "NONE")]
    assert row["outcome"] == expected
    if expected == "excluded":
        assert (row["reason_code"], row["reason"]) == ("follow_up_incomplete", f"the window ends on {day(90)}, "
                                                       f"after the last date of the extract ({day(89)}); not judged yet")
        assert row["exclusion_kind"] == "exclusion"
    assert run.outcome("QS12-6", "DONE") == "adherent"  # met before the end: judged, even if open
    assert run.outcomes("QS12-6")[("DIED", "DIED")]["reason_code"] == "died_before_window_closed"


def test_latest_recorded_date_is_the_default_end_of_follow_up(tmp_path):
    run = _run(tmp_path, "latest_recorded_date")
    assert run.query("select follow_up_end::varchar as d, basis from timeline.follow_up") == [
        {"d": day(50), "basis": "latest recorded date"}]  # DIED's date of death is later still
    assert run.outcome("QS12-6", "NONE") == "excluded"
    # 1.3.1: a first line was given (a fact), so it is judged; without one the window is open.
    assert run.outcome("1.3.1", "CHEMO") == "non_adherent"
    assert run.outcomes("1.3.1")[("NONE", "NONE")]["reason_code"] == "follow_up_incomplete"
    # 1.5.16 judges the recorded fractionation: nothing to wait for.
    assert run.outcome("1.5.16", "SINGLE", "C1") == "non_adherent"
    manifest = json.loads((run.output / "run_manifest.json").read_text(encoding="utf-8"))
    assert (manifest["extract"]["follow_up_end"], manifest["extract"]["follow_up_end_basis"]) == (
        day(50), "latest recorded date")


def test_a_bad_end_of_follow_up_is_refused_with_its_key(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  follow_up_end: last tuesday\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'timeline.follow_up_end' must be 'latest_recorded_date' or a date"):
        load_config(config)
