"""CG81 1.5.14 (a licensed bone-targeted agent for new bone metastases) and 1.5.15 (only preparations
licensed for bone metastases) read one "licensed" flag: no 1.5.14 unit is adherent on a drug that
1.5.15 calls unlicensed for the same patient. The verdicts themselves are the rule cases
(audit_rules/cg81_2025_02/rules/1.5.14.cases.yaml, 1.5.15.cases.yaml); this is the cross-rule check."""
from tests.conftest import run_audit
from tests.extract_builder import Extract

SUPPORTIVE = {"intent": "supportive"}


def test_1_5_14_and_1_5_15_agree_on_licensing(tmp_path):
    x = Extract()
    for patient, drug in [("ZOLEDRONIC_ACID", "Zometa"), ("ZOLEDRONIC_ACID_4MG", "Zoledronic acid 4 mg"),
                          ("DENOSUMAB_120MG", "denosumab 120mg"), ("PAMIDRONATE", "pamidronate"),
                          ("ACLASTA", "zoledronic acid 5 mg"), ("PROLIA", "Prolia"), ("ALENDRONATE", "alendronic acid")]:
        x.patient(patient).metastatic().regimen(drug, start=20, **SUPPORTIVE)
    # a licensed agent beside an osteoporosis preparation, in two regimens and in one
    x.patient("ALENDRONATE_THEN_ZOLEDRONIC_ACID").metastatic().regimen("alendronic acid", start=5, **SUPPORTIVE) \
        .regimen("zoledronic acid", start=40, **SUPPORTIVE)
    x.patient("ZOLEDRONIC_ACID_THEN_ALENDRONATE_SAME_REGIMEN").metastatic() \
        .regimen("zoledronic acid", start=10, regimen_id="R1").regimen("alendronic acid", start=50, regimen_id="R1", **SUPPORTIVE)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, upto="rules")
    assert run.failure() is None
    unlicensed = {}
    for (patient, _), row in run.outcomes("1.5.15").items():
        unlicensed.setdefault(patient, set()).update(row["evidence"]["unlicensed_drugs"] or [])
    credited = {patient: set(row["evidence"]["bone_targeted_drugs"])
                for (patient, _), row in run.outcomes("1.5.14").items() if row["outcome"] == "adherent"}
    assert len(credited) == 6 and len([p for p in credited if unlicensed.get(p)]) == 2
    assert {p: drugs & unlicensed.get(p, set()) for p, drugs in credited.items() if drugs & unlicensed.get(p, set())} == {}
