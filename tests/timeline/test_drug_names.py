"""Drug names as recorded in real records -> generic drugs of the value set."""
import pytest

from pipelines.timeline.drug_names import class_attributes_rows, load_drug_value_set


@pytest.fixture(scope="module")
def value_set():
    return load_drug_value_set()


@pytest.mark.parametrize("recorded, drugs, method", [
    ("anastrozole", ("anastrozole",), "exact"),
    ("  ARIMIDEX ", ("anastrozole",), "synonym"),
    ("Arimidex (anastrozole)", ("anastrozole",), "synonym"),
    ("anastrazole", ("anastrozole",), "synonym"),
    ("Anastrozol", ("anastrozole",), "synonym"),
    ("Herceptin", ("trastuzumab",), "synonym"),
    ("Kanjinti", ("trastuzumab",), "synonym"),
    ("Trustuzumab", ("trastuzumab",), "synonym"),
    ("Kadcyla", ("trastuzumab emtansine",), "synonym"),
    ("T-DM1", ("trastuzumab emtansine",), "synonym"),
    ("Enhertu", ("trastuzumab deruxtecan",), "synonym"),
    ("Phesgo", ("pertuzumab", "trastuzumab"), "combination"),
    ("doxorubicin+cyclophosphamide", ("cyclophosphamide", "doxorubicin"), "exact"),
    ("Taxotere/Cytoxan", ("cyclophosphamide", "docetaxel"), "synonym"),
    ("adriamycin, cytoxan, avastin", ("bevacizumab", "cyclophosphamide", "doxorubicin"), "synonym"),
    ("doxorubicine cyclophosphamide tamoxifen", ("cyclophosphamide", "doxorubicin", "tamoxifen"), "synonym"),
    ("Paclitaxel (Protein-Bound)", ("nab-paclitaxel",), "synonym"),
    ("Doxil", ("pegylated liposomal doxorubicin",), "synonym"),
    ("Ibrance", ("palbociclib",), "synonym"),
    ("Xgeva", ("denosumab",), "synonym"),
    ("Capecitabin", ("capecitabine",), "fuzzy"),
    ("Zoledronic Acid", ("zoledronic acid",), "exact"),
    ("Bevacizumab or Placebo", ("bevacizumab",), "partial"),
    ("Chemo, NOS", (), "unrecognised"),
    ("Taxane", (), "unrecognised"),
    ("E-75", (), "unrecognised"),
    ("", (), "unrecognised"),
])
def test_recorded_names(value_set, recorded, drugs, method):
    mapping = value_set.map_name(recorded)
    assert (mapping.drugs, mapping.method) == (drugs, method)


def test_trastuzumab_class_excludes_antibody_drug_conjugates(value_set):
    rows = {r["drug"]: r for r in class_attributes_rows(value_set)}
    assert rows["trastuzumab"]["drug_class"] == "trastuzumab"
    assert rows["trastuzumab emtansine"]["drug_class"] == "other_anti_her2"
    assert rows["trastuzumab deruxtecan"]["drug_class"] == "other_anti_her2"
    assert {d for d, r in rows.items() if r["is_anthracycline"]} == {
        "doxorubicin", "epirubicin", "pegylated liposomal doxorubicin", "mitoxantrone"}
    assert not rows["alendronic acid"]["is_licensed_for_bone_metastases"]
    assert rows["denosumab"]["is_licensed_for_bone_metastases"] and rows["zoledronic acid"]["is_licensed_for_bone_metastases"]
    assert rows["goserelin"]["class_group"] == "ovarian_suppression" and not rows["goserelin"]["is_anticancer"]


def test_configuration_can_add_names_and_rejects_unknown_generics():
    extended = load_drug_value_set(extra_names={"Anastrozole Accord": "anastrozole"})
    assert extended.map_name("anastrozole accord").drugs == ("anastrozole",)
    with pytest.raises(ValueError, match="unknown generic drug 'anastrozol'"):
        load_drug_value_set(extra_names={"x": "anastrozol"})
    with pytest.raises(ValueError, match="listed twice"):
        load_drug_value_set(extra_names={"arimidex": "anastrozole"})
