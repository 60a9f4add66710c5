"""CG81 1.1.6 and QS12-4: ER and HER2 reassessed on a metastasis or local recurrence specimen
(index - 30 .. index + 90 days) when advanced disease is a recurrence."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("ADH").metastatic(de_novo=False).pathology(20, origin="metastasis")
    x.patient("ADH_LOCAL").metastatic(de_novo=False).pathology(20, origin="local_recurrence", her2="borderline")
    x.patient("ADH_DM30").metastatic(de_novo=False).pathology(-30, origin="metastasis")
    x.patient("NON_DM31").metastatic(de_novo=False).pathology(-31, origin="metastasis")
    x.patient("ADH_D90").metastatic(de_novo=False).pathology(90, origin="metastasis")
    x.patient("NON_D91").metastatic(de_novo=False).pathology(91, origin="metastasis")
    x.patient("NON_PRIMARY_ONLY").metastatic(de_novo=False).pathology(20, origin="primary")
    x.patient("NON_NO_HER2").metastatic(de_novo=False).pathology(20, origin="metastasis", her2=None)
    x.patient("NON_ER_UNKNOWN").metastatic(de_novo=False).pathology(20, origin="metastasis", er="unknown")
    x.patient("EXC_BIOPSY").metastatic(de_novo=False).decision(10, "biopsy", "not_suitable")
    x.patient("EXC_DIED", date_of_death=day(40)).metastatic(de_novo=False)
    # a biopsy decision is an exception up to the end of the window (index + 90)
    x.patient("EXC_BIOPSY_D90").metastatic(de_novo=False).decision(90, "biopsy", "declined_by_patient")
    x.patient("NON_BIOPSY_D91").metastatic(de_novo=False).decision(91, "biopsy", "declined_by_patient")
    x.patient("INFERRED_RECURRENCE").event(-900, "early_diagnosis").metastatic(de_novo=None)
    x.patient("INS_UNKNOWN").metastatic(de_novo=None)
    x.patient("ABSENT_DE_NOVO").metastatic(de_novo=True)
    folder = tmp_path_factory.mktemp("reassessment")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("ADH", "adherent"), ("ADH_LOCAL", "adherent"), ("ADH_DM30", "adherent"), ("NON_DM31", "non_adherent"),
    ("ADH_D90", "adherent"), ("NON_D91", "non_adherent"), ("NON_PRIMARY_ONLY", "non_adherent"),
    ("NON_NO_HER2", "non_adherent"), ("NON_ER_UNKNOWN", "non_adherent"), ("EXC_BIOPSY", "excluded"),
    ("EXC_DIED", "excluded"), ("INFERRED_RECURRENCE", "non_adherent"), ("INS_UNKNOWN", "insufficient_data"),
    ("ABSENT_DE_NOVO", None), ("EXC_BIOPSY_D90", "excluded"), ("NON_BIOPSY_D91", "non_adherent"),
])
def test_outcome_for_both_measures(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.1.6", patient) == expected
    assert run.outcome("QS12-4", patient) == expected


def test_targets_differ_consider_has_none(run):
    targets = {r["rule_id"]: r["target"] for r in run.query("select rule_id, target from rules.catalogue")}
    assert targets["1.1.6"] is None and targets["QS12-4"] == 0.9
    assert run.outcomes("1.1.6")[("EXC_BIOPSY", "EXC_BIOPSY")]["reason"].startswith("not_suitable: biopsy decision")
