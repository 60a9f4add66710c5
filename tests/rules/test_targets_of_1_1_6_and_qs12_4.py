"""1.1.6 and QS12-4 measure the same reassessment (their verdicts: the rule cases of each) but their
targets differ: 1.1.6 is a `consider` recommendation, with no target; the quality statement has 90%."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("RECURRENCE").metastatic(de_novo=False).pathology(20, origin="metastasis")
    folder = tmp_path_factory.mktemp("reassessment_targets")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def test_targets_differ_consider_has_none(run):
    assert run.failure() is None
    targets = {r["rule_id"]: r["target"] for r in run.query("select rule_id, target from rules.catalogue")}
    assert targets["1.1.6"] is None and targets["QS12-4"] == 0.9
