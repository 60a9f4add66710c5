"""The evidence (not the verdicts: those are the rule cases, audit_rules/cg81_2025_02/rules/<id>.cases.yaml)
of two rule families: 1.1.7 counts the monitoring bone scans it found; a care-event rule records its
window, with no start date when the window has no lower bound (QS12-6, any time before)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("MONITORING").metastatic().imaging(-5, "bone_scintigraphy", "staging") \
        .imaging(110, "bone_scintigraphy", "response_monitoring", "stable")
    x.patient("KEY_WORKER_LONG_BEFORE").metastatic().care(-2000, "key_worker_assigned")
    x.patient("NO_DECISION_AID").metastatic()
    folder = tmp_path_factory.mktemp("evidence")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def _evidence(run, rule, patient):
    return run.outcomes(rule)[(patient, patient)]["evidence"]


def test_1_1_7_counts_the_monitoring_scans_after_the_index_date(run):
    assert run.failure() is None
    evidence = _evidence(run, "1.1.7", "MONITORING")
    assert evidence["monitoring_scans"] == 1 and evidence["scans_after_index"] == 1


def test_a_window_without_a_lower_bound_shows_no_start_date(run):
    evidence = _evidence(run, "QS12-6", "KEY_WORKER_LONG_BEFORE")
    assert evidence["window_start"] is None and evidence["window_end"] == day(90)
    assert _evidence(run, "1.2.4", "NO_DECISION_AID")["window_start"] == day(-30)
