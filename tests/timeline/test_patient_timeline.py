"""The timeline layer: shared definitions every rule builds on (measures.md "Shared definitions")."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    # Lines: chemotherapy and endocrine interleaved, a bone-targeted and a GnRH-only regimen in between.
    (x.patient("LINES").metastatic()
        .regimen("zoledronic acid", start=3, intent="supportive", regimen_id="BONE")
        .regimen(["Taxotere", "Herceptin"], start=10, end=100, end_reason="completed", regimen_id="CHEMO1")
        .regimen("Zoladex", start=105, regimen_id="GNRH")
        .regimen(["letrozole", "Kisqali"], start=110, end=300, end_reason="progression", regimen_id="ENDO1")
        .regimen("capecitabine", start=310, regimen_id="CHEMO2")
        .regimen("fulvestrant", start=310, regimen_id="ENDO2")
        .regimen("anastrozole", start=-2000, end=-300, intent="adjuvant", regimen_id="ADJ"))
    x.patient("SAME_DAY_PAIR").metastatic().regimen("palbociclib", start=20, regimen_id="R_PALBO") \
        .regimen("letrozole", start=20, regimen_id="R_LET")
    x.patient("GNRH_WITH_TAMOXIFEN").metastatic().regimen("goserelin", start=20, regimen_id="R_GNRH") \
        .regimen("tamoxifen", start=20, regimen_id="R_TAM")
    x.patient("NEXT_DAY_PAIR").metastatic().regimen("palbociclib", start=20, regimen_id="R_PALBO") \
        .regimen("letrozole", start=21, regimen_id="R_LET")
    # Receptors: a metastasis specimen in -30..+60 beats a nearer primary; each receptor independently.
    (x.patient("RECEPTORS").metastatic()
        .pathology(0, origin="primary", er="negative", her2="positive")
        .pathology(45, origin="metastasis", er="positive", her2="unknown"))
    x.patient("RECEPTORS_LATE").metastatic().pathology(-400, er="positive").pathology(61, origin="metastasis", er="negative")
    x.patient("PRIOR_TAM").metastatic().regimen("Nolvadex", start=-1500, end=-200, intent="adjuvant")
    x.patient("PRIOR_MIXED").metastatic().regimen("tamoxifen", start=-1500, end=-900, intent="adjuvant").regimen("exemestane", start=-900, end=-200, intent="adjuvant")
    x.patient("PRIOR_NONE").metastatic().regimen("goserelin", start=-1500, intent="adjuvant")
    x.patient("UNRECOGNISED").metastatic().regimen("Study drug XY-12", start=10)
    (x.patient("MIXED_INTENT").metastatic()
        .regimen("letrozole", start=10, intent=None, regimen_id="R1")
        .regimen("denosumab", start=10, intent="supportive", regimen_id="R1"))
    # A regimen's provider is that of its earliest-starting drug (ties: the lowest code).
    (x.patient("PROVIDERS").metastatic()
        .regimen("docetaxel", start=10, regimen_id="LATER_DRUG_RAA", provider_code="RBB")
        .regimen("trastuzumab", start=20, regimen_id="LATER_DRUG_RAA", provider_code="RAA")
        .regimen("paclitaxel", start=30, regimen_id="TIE", provider_code="RDD")
        .regimen("bevacizumab", start=30, regimen_id="TIE", provider_code="RCC")
        .regimen("capecitabine", start=40, regimen_id="FIRST_UNRECORDED", provider_code=None)
        .regimen("lapatinib", start=50, regimen_id="FIRST_UNRECORDED", provider_code="REE")
        .regimen("eribulin", start=60, regimen_id="NONE_RECORDED"))
    # Chemotherapy lines after unsuitability for anthracyclines: strictly after a regimen's end.
    (x.patient("AFTER_ANTHRACYCLINE").metastatic()
        .regimen(["epirubicin", "cyclophosphamide"], start=10, end=60, regimen_id="EC")
        .regimen("paclitaxel", start=60, end=100, regimen_id="SAME_DAY_AS_END")
        .regimen("letrozole", start=100, end=200, regimen_id="ENDOCRINE")
        .regimen("docetaxel", start=110, end=200, regimen_id="FIRST_AFTER")
        .regimen("capecitabine", start=210, regimen_id="SECOND_AFTER"))
    (x.patient("DECISION_SAME_DAY").metastatic().decision(14, "anthracycline", "not_suitable")
        .regimen("paclitaxel", start=13, end=13, regimen_id="DAY_BEFORE")
        .regimen("docetaxel", start=14, regimen_id="ON_THE_DAY"))
    folder = tmp_path_factory.mktemp("timeline")
    return run_audit(x.write(folder / "extract"), folder)


def test_lines_of_therapy_skip_supportive_gnrh_only_and_adjuvant_regimens(run):
    lines = run.query("""select regimen_id, line_number, chemotherapy_line_number, endocrine_line_number
                         from timeline.lines_of_therapy where patient_id = 'LINES' order by line_number""")
    assert [(l["regimen_id"], l["line_number"], l["chemotherapy_line_number"], l["endocrine_line_number"])
            for l in lines] == [("CHEMO1", 1, 1, None), ("ENDO1", 2, None, 1), ("CHEMO2+ENDO2", 3, 2, 2)]


def test_regimens_started_the_same_day_are_one_line(run):
    """measures.md v2 "Line of therapy": same-day regimens are one line, whatever their ids; a GnRH
    agonist regimen joins a same-day line (never a line alone); a next-day regimen is a new line."""
    lines = {(l["patient_id"], l["line_number"]): l for l in run.query("select * from timeline.lines_of_therapy")}
    same_day = lines[("SAME_DAY_PAIR", 1)]
    assert (same_day["regimen_id"], same_day["regimen_ids"], same_day["drugs"]) == \
        ("R_LET+R_PALBO", ["R_LET", "R_PALBO"], ["letrozole", "palbociclib"])
    assert same_day["has_aromatase_inhibitor"] and same_day["has_cdk46_inhibitor"] and same_day["endocrine_line_number"] == 1
    assert ("SAME_DAY_PAIR", 2) not in lines
    gnrh = lines[("GNRH_WITH_TAMOXIFEN", 1)]
    assert gnrh["regimen_id"] == "R_GNRH+R_TAM" and gnrh["has_gnrh_agonist"] and gnrh["has_tamoxifen"]
    assert [lines[("NEXT_DAY_PAIR", n)]["regimen_id"] for n in (1, 2)] == ["R_PALBO", "R_LET"]
    assert lines[("NEXT_DAY_PAIR", 1)]["endocrine_line_number"] is None


def test_regimen_classes_from_brand_names(run):
    regimens = {r["regimen_id"]: r for r in run.query("select * from timeline.regimens where patient_id = 'LINES'")}
    assert regimens["CHEMO1"]["drugs"] == ["docetaxel", "trastuzumab"]
    assert regimens["CHEMO1"]["chemotherapy_drug_count"] == 1 and regimens["CHEMO1"]["has_trastuzumab"]
    assert regimens["ENDO1"]["has_aromatase_inhibitor"] and regimens["ENDO1"]["has_cdk46_inhibitor"]
    assert regimens["ENDO1"]["end_reason"] == "progression"
    assert regimens["BONE"]["is_bone_targeted_only"] and not regimens["BONE"]["is_line_of_therapy"]
    assert regimens["GNRH"]["has_gnrh_agonist"] and not regimens["GNRH"]["is_line_of_therapy"]
    assert regimens["ADJ"]["is_palliative"] is False


def test_a_supportive_partner_does_not_make_an_anticancer_regimen_supportive(run):
    regimen = run.query("select * from timeline.regimens where patient_id = 'MIXED_INTENT'")[0]
    assert regimen["intent"] == "unknown" and regimen["is_palliative"] and regimen["is_line_of_therapy"]
    supportive = run.query("select patient_id, regimen_id from timeline.regimens where intent = 'supportive'")
    assert supportive == [{"patient_id": "LINES", "regimen_id": "BONE"}]  # bone-targeted only: still supportive


def test_receptor_status_prefers_metastasis_specimen_per_receptor(run):
    rows = {r["patient_id"]: r for r in run.query("select * from timeline.receptor_status_at_index")}
    assert rows["RECEPTORS"]["er_status"] == "positive" and rows["RECEPTORS"]["er_specimen_origin"] == "metastasis"
    assert rows["RECEPTORS"]["her2_status"] == "positive" and rows["RECEPTORS"]["her2_specimen_origin"] == "primary"
    assert rows["RECEPTORS_LATE"]["er_status"] == "positive"  # the +61 day specimen is too late
    assert rows["LINES"]["er_status"] == "unknown"


def test_prior_endocrine_therapy(run):
    kinds = {r["patient_id"]: r["prior_endocrine_kind"] for r in run.query("select * from timeline.prior_endocrine_therapy")}
    assert kinds["PRIOR_TAM"] == "tamoxifen_only"
    assert kinds["PRIOR_MIXED"] == "other"
    assert kinds["PRIOR_NONE"] == "none"  # a GnRH agonist is ovarian suppression, not endocrine therapy
    assert kinds["LINES"] == "other"


def test_unrecognised_drug_names_are_kept_and_counted(run):
    names = run.query("select * from timeline.drug_name_map where match_method = 'unrecognised'")
    assert [(n["recorded_name"], n["rows"]) for n in names] == [("Study drug XY-12", 1)]
    exposures = run.query("select drug from timeline.drug_exposures where patient_id = 'UNRECOGNISED'")
    assert exposures == [{"drug": None}]


def test_regimen_provider_is_that_of_its_earliest_drug(run):
    providers = {r["regimen_id"]: (r["regimen_provider_code"], r["provider_code"]) for r in
                 run.query("select * from timeline.regimens where patient_id = 'PROVIDERS'")}
    assert providers == {"LATER_DRUG_RAA": ("RBB", "RBB"), "TIE": ("RCC", "RCC"),
                         "FIRST_UNRECORDED": ("REE", "REE"), "NONE_RECORDED": (None, "RAA")}


def test_chemotherapy_lines_after_anthracycline_unsuitability(run):
    rows = run.query("""select patient_id, sequence_number, regimen_id, counted_from
                        from timeline.chemotherapy_lines_after_anthracycline_unsuitability
                        order by patient_id, sequence_number""")
    assert [(r["patient_id"], r["sequence_number"], r["regimen_id"], r["counted_from"].isoformat()) for r in rows] == [
        ("AFTER_ANTHRACYCLINE", 1, "FIRST_AFTER", day(61)), ("AFTER_ANTHRACYCLINE", 2, "SECOND_AFTER", day(61)),
        ("DECISION_SAME_DAY", 1, "ON_THE_DAY", day(14))]
