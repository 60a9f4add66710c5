"""The rules step is one multi-asset whose rules can be materialised alone (as the Dagster UI can):
the case outcomes must be the same whichever way it runs, all rules in one step or some of them
again on their own (their rows replaced, the others kept)."""
import dagster as dg

from pipelines.definitions import ALL_ASSETS, default_resources
from pipelines.rules.assets import AUDITED_RULES
from sample_data.generate import generate_extract
from tests.conftest import run_audit

ORDERED = "select * from rules.case_outcomes order by rule_id, patient_id, unit_id"


def test_rules_materialised_alone_give_the_same_case_outcomes(tmp_path):
    generate_extract(tmp_path / "extract", 150, seed=3)
    run = run_audit(tmp_path / "extract", tmp_path, upto="rules")  # writes tmp_path/complete_follow_up.yaml
    assert run.result.success, run.failure()
    everything = run.query(ORDERED)
    assert len({r["rule_id"] for r in everything}) >= 40

    again = [dg.AssetKey(rule.asset_name) for rule in AUDITED_RULES[::3]]
    resources = default_resources(str(tmp_path / "extract"), str(tmp_path / "out"),
                                  str(tmp_path / "complete_follow_up.yaml"))
    subset = dg.materialize(ALL_ASSETS, selection=again, resources=resources, raise_on_error=False,
                            instance=dg.DagsterInstance.ephemeral())
    assert subset.success
    assert {m.asset_key for m in subset.get_asset_materialization_events()} == set(again)
    assert run.query(ORDERED) == everything
    rule = AUDITED_RULES[0]
    assert run.query(f"select * from rules.{rule.asset_name} order by patient_id, unit_id") == \
        [r for r in everything if r["rule_id"] == rule.id]
