"""Drug names as recorded -> generic drugs of the value set (audit_rules/value_sets/drugs.yaml).

The expected mappings are clinical facts copied from measures.md ("Drug value sets") and from the
distinct drug names of the TCGA-BRCA clinical drug table; the tests never read outside the repo.
"""
import pytest
import yaml

from audit_rules.drug_value_set import (VALUE_SET_PATH, class_attributes_rows, edit_distance,
                                           load_drug_value_set)


@pytest.fixture(scope="module")
def value_set():
    return load_drug_value_set()


def mapped(value_set, recorded):
    mapping = value_set.map_name(recorded)
    return mapping.drugs, mapping.method


# measures.md: every drug and its class (the additions beyond measures.md are checked further down)
MEASURES_DRUGS = {
    "aromatase_inhibitor": ["anastrozole", "letrozole", "exemestane"],
    "tamoxifen": ["tamoxifen"],
    "other_endocrine": ["fulvestrant", "toremifene", "megestrol"],
    "gnrh_agonist": ["goserelin", "leuprorelin", "triptorelin"],
    "cdk46_inhibitor": ["palbociclib", "ribociclib", "abemaciclib"],
    "other_targeted": ["everolimus", "alpelisib", "capivasertib", "olaparib", "talazoparib"],
    "chemotherapy": ["docetaxel", "paclitaxel", "nab-paclitaxel", "vinorelbine", "capecitabine", "gemcitabine",
                     "eribulin", "carboplatin", "cisplatin", "cyclophosphamide", "methotrexate", "fluorouracil",
                     "doxorubicin", "epirubicin", "pegylated liposomal doxorubicin", "mitoxantrone"],
    "trastuzumab": ["trastuzumab"],
    "other_anti_her2": ["pertuzumab", "trastuzumab emtansine", "trastuzumab deruxtecan", "lapatinib",
                        "tucatinib", "neratinib"],
    "bisphosphonate_licensed": ["zoledronic acid", "pamidronate", "ibandronic acid", "sodium clodronate"],
    "denosumab": ["denosumab"],
    "bisphosphonate_unlicensed": ["alendronic acid", "risedronate"],
}
# Not licensed for bone metastases although the drug is (CG81 1.5.15 judges the preparation).
OSTEOPOROSIS = {"denosumab 60 mg": "prolia", "zoledronic acid 5 mg": "aclasta", "ibandronic acid (osteoporosis)": "bonviva"}
BEYOND_MEASURES = {"bevacizumab": "other_targeted", "ixabepilone": "chemotherapy", "vincristine": "chemotherapy",
                   "vinblastine": "chemotherapy", "etoposide": "chemotherapy", "ifosfamide": "chemotherapy",
                   "mitomycin": "chemotherapy", "pemetrexed": "chemotherapy", "trabectedin": "chemotherapy"}
SUPPORTIVE = ["pegfilgrastim", "filgrastim", "palonosetron", "ondansetron", "dexamethasone", "mesna"]


def test_every_drug_of_measures_md_has_its_class(value_set):
    expected = {d: c for c, drugs in MEASURES_DRUGS.items() for d in drugs}
    expected |= BEYOND_MEASURES | dict.fromkeys(SUPPORTIVE, "supportive") | dict.fromkeys(OSTEOPOROSIS, "osteoporosis_preparation")
    assert {d: drug.drug_class for d, drug in value_set.drugs.items()} == expected
    assert set(value_set.classes) == set(MEASURES_DRUGS) | {"supportive", "osteoporosis_preparation"}


@pytest.mark.parametrize("preparation, brand", OSTEOPOROSIS.items())
def test_osteoporosis_preparations_are_not_licensed_for_bone_metastases(value_set, preparation, brand):
    assert value_set.map_name(brand.capitalize()).drugs == (preparation,)
    row = {r["drug"]: r for r in class_attributes_rows(value_set)}[preparation]
    assert row["class_group"] == "bone_targeted" and not row["is_licensed_for_bone_metastases"]


def test_class_attributes(value_set):
    rows = {r["drug"]: r for r in class_attributes_rows(value_set)}
    assert list(rows) == sorted(rows)
    assert {d for d, r in rows.items() if r["is_anthracycline"]} == {
        "doxorubicin", "epirubicin", "pegylated liposomal doxorubicin", "mitoxantrone"}
    assert {d for d, r in rows.items() if r["is_licensed_for_bone_metastases"]} == {
        "zoledronic acid", "pamidronate", "ibandronic acid", "sodium clodronate", "denosumab"}
    assert {d for d, r in rows.items() if not r["is_anticancer"]} == {
        "goserelin", "leuprorelin", "triptorelin", *SUPPORTIVE, *MEASURES_DRUGS["bisphosphonate_licensed"],
        "denosumab", "alendronic acid", "risedronate", *OSTEOPOROSIS}
    assert rows["goserelin"]["class_group"] == "ovarian_suppression"
    assert rows["trastuzumab deruxtecan"]["class_group"] == "anti_her2"
    assert rows["alendronic acid"]["class_group"] == "bone_targeted"
    assert set(rows["anastrozole"]) == {"drug", "drug_class", "class_group", "is_anticancer", "is_anthracycline",
                                         "is_licensed_for_bone_metastases"}


def test_no_name_listed_twice_and_all_lower_case():
    raw = yaml.safe_load(VALUE_SET_PATH.read_text(encoding="utf-8"))
    names = [*raw["drugs"], *raw["combinations"]]
    names += [n for spec in raw["drugs"].values() for n in spec.get("names", [])]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    assert [n for n in names if n != n.lower().strip()] == []


@pytest.mark.parametrize("recorded", ["Herceptin", "HERCEPTIN SC", "Herzuma", "Kanjinti", "Ontruzant", "Trazimera",
                                      "Zercepac", "Ogivri", "trastuzumab SC", "Trastuzumab"])
def test_trastuzumab_and_its_biosimilars(value_set, recorded):
    assert value_set.map_name(recorded).drugs == ("trastuzumab",)


@pytest.mark.parametrize("recorded, drug", [
    ("Kadcyla", "trastuzumab emtansine"), ("T-DM1", "trastuzumab emtansine"), ("TDM1", "trastuzumab emtansine"),
    ("ado-trastuzumab emtansine", "trastuzumab emtansine"), ("Ado Trastuzumab Emtansine", "trastuzumab emtansine"),
    ("trastuzumab-emtansine", "trastuzumab emtansine"), ("Trastuzumab (emtansine)", "trastuzumab emtansine"),
    ("Trastuzumab emtansine (Kadcyla)", "trastuzumab emtansine"), ("Kadcila", "trastuzumab emtansine"),
    ("Enhertu", "trastuzumab deruxtecan"), ("T-DXd", "trastuzumab deruxtecan"),
    ("fam-trastuzumab deruxtecan-nxki", "trastuzumab deruxtecan"),
    ("Trastuzumab deruxtecan (Enhertu)", "trastuzumab deruxtecan"),
])
def test_antibody_drug_conjugates_are_never_trastuzumab(value_set, recorded, drug):
    assert value_set.map_name(recorded).drugs == (drug,)


@pytest.mark.parametrize("recorded", ["ado-trastuzumab", "trastuzumab-dm1"])
def test_half_written_conjugates_stay_unrecognised_rather_than_trastuzumab(value_set, recorded):
    assert mapped(value_set, recorded) == ((), "unrecognised")


@pytest.mark.parametrize("recorded, drugs, method", [
    ("Phesgo", ("pertuzumab", "trastuzumab"), "combination"),
    ("Arimidex (anastrozole)", ("anastrozole",), "synonym"),
    ("Anastrozole", ("anastrozole",), "exact"),
    ("doxorubicin+cyclophosphamide", ("cyclophosphamide", "doxorubicin"), "exact"),
    ("Doxorubicin \u2013 Cyclophosphamide", ("cyclophosphamide", "doxorubicin"), "exact"),
    ("Taxotere/Cytoxan", ("cyclophosphamide", "docetaxel"), "synonym"),
    ("adriamycin, cytoxan, avastin", ("bevacizumab", "cyclophosphamide", "doxorubicin"), "synonym"),
    ("doxorubicine cyclophosphamide tamoxifen", ("cyclophosphamide", "doxorubicin", "tamoxifen"), "synonym"),
    ("pertuzumab with trastuzumab plus docetaxel", ("docetaxel", "pertuzumab", "trastuzumab"), "exact"),
    ("zoledronic acid & denosumab", ("denosumab", "zoledronic acid"), "exact"),
    ("tamoxifen citrate anastrozole", ("anastrozole", "tamoxifen"), "synonym"),
    ("AC; Taxol", ("cyclophosphamide", "doxorubicin", "paclitaxel"), "combination"),
    ("FEC", ("cyclophosphamide", "epirubicin", "fluorouracil"), "combination"),
    ("TCH", ("carboplatin", "docetaxel", "trastuzumab"), "combination"),
    ("capecitabin + herceptin", ("capecitabine", "trastuzumab"), "fuzzy"),
])
def test_one_cell_naming_several_drugs(value_set, recorded, drugs, method):
    assert mapped(value_set, recorded) == (drugs, method)


@pytest.mark.parametrize("recorded, drugs, method", [
    # misspellings seen in real records are listed names, so they are synonyms, not guesses
    ("anastrazole", ("anastrozole",), "synonym"),
    ("Trustuzumab", ("trastuzumab",), "synonym"),
    ("Capecetabine", ("capecitabine",), "synonym"),
    # unseen misspellings are fuzzy matches
    ("Capecitabin", ("capecitabine",), "fuzzy"),
    ("Letrozle", ("letrozole",), "fuzzy"),
    ("Pacliaxel", ("paclitaxel",), "fuzzy"),
    ("Herceptn", ("trastuzumab",), "fuzzy"),
    ("Docetaxle", ("docetaxel",), "fuzzy"),  # transposition counts as one edit
    ("paclitaxel, albumin bound", ("nab-paclitaxel",), "fuzzy"),
])
def test_misspellings(value_set, recorded, drugs, method):
    assert mapped(value_set, recorded) == (drugs, method)


@pytest.mark.parametrize("recorded, drug", [
    ("Abraxane", "nab-paclitaxel"), ("Paclitaxel (Protein-Bound)", "nab-paclitaxel"),
    ("Albumin-Bound Paclitaxel", "nab-paclitaxel"), ("nab-paclitaxel", "nab-paclitaxel"),
    ("Taxol", "paclitaxel"), ("Caelyx", "pegylated liposomal doxorubicin"),
    ("Doxil", "pegylated liposomal doxorubicin"), ("Doxorubicin Liposome", "pegylated liposomal doxorubicin"),
    ("PLD", "pegylated liposomal doxorubicin"), ("Adriamycin", "doxorubicin"),
    ("Ibrance", "palbociclib"), ("Kisqali", "ribociclib"), ("Verzenios", "abemaciclib"),
    ("Tyverb", "lapatinib"), ("Prostap", "leuprorelin"), ("Leuprolide acetate", "leuprorelin"),
    ("Decapeptyl", "triptorelin"), ("Aredia", "pamidronate"), ("Bondronat", "ibandronic acid"),
    ("Loron", "sodium clodronate"), ("Xgeva", "denosumab"), ("Fosamax", "alendronic acid"),
    ("Actonel", "risedronate"), ("Pharmorubicin", "epirubicin"), ("Endoxana", "cyclophosphamide"),
    ("5-FU", "fluorouracil"), ("Halaven", "eribulin"), ("Neulasta", "pegfilgrastim"),
])
def test_brands_and_distinct_formulations(value_set, recorded, drug):
    assert value_set.map_name(recorded).drugs == (drug,)


@pytest.mark.parametrize("recorded, drugs, method, unrecognised", [
    ("Chemo, NOS", (), "unrecognised", ("chemo", "nos")),
    ("Taxane", (), "unrecognised", ("taxane",)),
    ("E-75", (), "unrecognised", ("e-75",)),
    ("Taxl", (), "unrecognised", ("taxl",)),  # under 5 characters: no guessing
    ("", (), "unrecognised", ()),
    ("Bevacizumab or Placebo", ("bevacizumab",), "partial", ("placebo",)),
    ("BEVACIZUMAB (AVASTIN)/PLACEBO PROVIDED BY STUDY", ("bevacizumab",), "partial",
     ("placebo provided by study",)),
    ("letrozole 2.5 mg", ("letrozole",), "partial", ("2.5 mg",)),
])
def test_unrecognised_names_are_reported(value_set, recorded, drugs, method, unrecognised):
    mapping = value_set.map_name(recorded)
    assert (mapping.recorded_name, mapping.drugs, mapping.method) == (recorded, drugs, method)
    assert mapping.unrecognised_parts == unrecognised


@pytest.mark.parametrize("recorded", ["ARIMIDEX", "  arimidex ", "Arimidex.", "Arimidex\t", "\u00a0Arimidex"])
def test_case_and_whitespace_do_not_matter(value_set, recorded):
    assert mapped(value_set, recorded) == (("anastrozole",), "synonym")


def test_multi_word_names_ignore_inner_whitespace(value_set):
    assert mapped(value_set, "Zoledronic   ACID") == (("zoledronic acid",), "exact")


def test_configuration_adds_names_and_rejects_unknown_generics():
    extended = load_drug_value_set(extra_names={"Anastrozole Accord": "anastrozole",
                                                "Pac-Carbo": ["paclitaxel", "carboplatin"], "arimidex": "anastrozole"})
    assert mapped(extended, "anastrozole accord") == (("anastrozole",), "synonym")
    assert mapped(extended, "PAC-CARBO") == (("carboplatin", "paclitaxel"), "combination")
    with pytest.raises(ValueError, match="unknown generic drug 'anastrozol'"):
        load_drug_value_set(extra_names={"x": "anastrozol"})
    with pytest.raises(ValueError, match="'arimidex' is listed twice"):
        load_drug_value_set(extra_names={"arimidex": "letrozole"})


def _write(tmp_path, text):
    path = tmp_path / "drugs.yaml"
    path.write_text("version: 1\nclasses:\n  chemotherapy: {group: chemotherapy, anticancer: true}\n" + text)
    return path


@pytest.mark.parametrize("drugs_yaml, problem", [
    ("drugs:\n  taxol: {class: chemo}\n", "unknown class 'chemo'"),
    ("drugs:\n  paclitaxel: {class: chemotherapy, names: [taxol]}\n"
     "  docetaxel: {class: chemotherapy, names: [taxol]}\n", "'taxol' is listed twice"),
    ("drugs:\n  paclitaxel: {class: chemotherapy, names: [Taxol]}\n", "'Taxol' must be lower case"),
    ("drugs:\n  paclitaxel: {class: chemotherapy}\ncombinations:\n  pc: [paclitaxel, carboplatin]\n",
     "combination 'pc' names unknown drug 'carboplatin'"),
])
def test_value_set_file_is_checked(tmp_path, drugs_yaml, problem):
    with pytest.raises(ValueError, match=problem):
        load_drug_value_set(path=_write(tmp_path, drugs_yaml))


def test_fuzzy_match_must_be_unique(tmp_path):
    path = _write(tmp_path, "drugs:\n  zolmab: {class: chemotherapy}\n  zulmab: {class: chemotherapy}\n")
    assert mapped(load_drug_value_set(path=path), "zalmab") == ((), "unrecognised")
    assert mapped(load_drug_value_set(path=path), "zolmabb") == (("zolmab",), "fuzzy")


def test_edit_distance():
    assert edit_distance("letrozole", "letrozole") == 0
    assert edit_distance("docetaxel", "docetaxle") == 1
    assert edit_distance("anastrozole", "anastrazole") == 1
    assert edit_distance("taxol", "taxotere") == 4


# Every distinct drug name of the TCGA-BRCA clinical drug table that must be recognised:
# (expected generic drugs joined by "+", method) -> recorded names.
TCGA_RECOGNISED = {
    ('anastrozole', 'exact'): ['ANASTROZOLE', 'Anastrozole'],
    ('anastrozole', 'synonym'): ['ANASTROZOLE (ARIMIDEX)', 'ARIMIDEX', 'ARIMIDEX (ANASTROZOLE)', 'Anastrazole',
        'Arimidex', 'Arimidex (Anastrozole)', 'anastrozolum', 'arimidex'],
    ('anastrozole+tamoxifen', 'synonym'): ['tamoxiphen+anastrazolum', 'tamoxiphene+anastrozolum'],
    ('bevacizumab', 'exact'): ['BEVACIZUMAB', 'Bevacizumab'],
    ('bevacizumab', 'synonym'): ['Avastin', 'avastin'],
    ('bevacizumab+cyclophosphamide+doxorubicin', 'synonym'): ['Adriamycin, cytoxan, avastin'],
    ('capecitabine', 'exact'): ['CAPECITABINE'],
    ('capecitabine', 'synonym'): ['Capecetabine', 'XELODA', 'Xeloda', 'Xeloda (Capecitabine)'],
    ('carboplatin', 'exact'): ['CARBOPLATIN', 'Carboplatin'],
    ('carboplatin+docetaxel+trastuzumab', 'combination'): ['TCH'],
    ('cisplatin', 'exact'): ['Cisplatin'],
    ('cyclophosphamide', 'exact'): ['CYCLOPHOSPHAMIDE', 'Cyclophosphamide', 'cyclophosphamide'],
    ('cyclophosphamide', 'synonym'): ['CYTOXAN', 'Cyclophasphamide', 'Cyclophospamide', 'Cyclophosphane',
        'Cyotxan', 'Cytoxan', 'Cytoxen', 'cyclophosphamid', 'cyclophosphamidum', 'cytoxan'],
    ('cyclophosphamide+docetaxel', 'combination'): ['TC', 'tc'],
    ('cyclophosphamide+docetaxel', 'synonym'): ['Cytoxan and Taxotere', 'Taxotere/Cytoxan'],
    ('cyclophosphamide+doxorubicin', 'combination'): ['ac'],
    ('cyclophosphamide+doxorubicin', 'exact'): ['doxorubicin+ cyclophosphamide'],
    ('cyclophosphamide+doxorubicin', 'synonym'): ['adriamycin+cuclophosphamide', 'adriamycin+cyclophosphamid',
        'adriamycin+cyclophosphamide', 'adrimicin+cyclophosphamide', 'adrimycin+cyclophosphamide',
        'doxorubicin+cyclophosphamid', 'doxorubicine+cyclophosphamide'],
    ('cyclophosphamide+doxorubicin+paclitaxel+trastuzumab', 'synonym'): [
        'taxol+adriamycin+cyclophosphamide+herceptin'],
    ('cyclophosphamide+doxorubicin+tamoxifen', 'synonym'): ['doxorubicine cyclophosphamide tamoxifen',
        'doxorubicine+cyclophosphamide+tamoxifen'],
    ('cyclophosphamide+fluorouracil+methotrexate', 'synonym'): [
        'cyclophosphamide+methotrexatum+fluorouracillum', 'methotrexate+5 fluorouracil+cyclophosphamide'],
    ('denosumab', 'exact'): ['Denosumab'],
    ('denosumab', 'synonym'): ['Xgeva'],
    ('docetaxel', 'exact'): ['DOCETAXEL', 'Docetaxel', 'docetaxel'],
    ('docetaxel', 'synonym'): ['Doxetaxel', 'TAXOTERE', 'Taxotere', 'taxotere'],
    ('doxorubicin', 'exact'): ['DOXORUBICIN', 'Doxorubicin', 'doxorubicin'],
    ('doxorubicin', 'synonym'): ['ADRIAMYCIN', 'Adriamycin', 'Adriamyicin', 'Adrimycin', 'Doxorubicinum',
        'adriamicin', 'adriamycin', 'doxorubicin HCL', 'doxorubicine'],
    ('epirubicin', 'exact'): ['Epirubicin'],
    ('epirubicin', 'synonym'): ['Epirubicoin'],
    ('etoposide', 'synonym'): ['VP-16'],
    ('everolimus', 'exact'): ['Everolimus'],
    ('exemestane', 'exact'): ['EXEMESTANE', 'Exemestane'],
    ('exemestane', 'synonym'): ['AROMASIN (EXEMESTANE)', 'Aromasin', 'Aromasin (Exemestane)',
        'EXEMESTANE (AROMASIN)', 'aromasin', 'aromatase exemestane'],
    ('fluorouracil', 'exact'): ['FLUOROURACIL', 'Fluorouracil', 'fluorouracil'],
    ('fluorouracil', 'synonym'): ['5 fluorouracil', '5-FU', '5-Flourouracil', '5-Fluorouracil', 'FLOUROURACIL'],
    ('fulvestrant', 'exact'): ['FULVESTRANT', 'Fulvestrant'],
    ('fulvestrant', 'synonym'): ['Faslodex', 'Fulvestrant (Faslodex)', 'faslodex'],
    ('gemcitabine', 'exact'): ['Gemcitabine', 'gemcitabine'],
    ('gemcitabine', 'synonym'): ['GEMZAR', 'Gemzar'],
    ('goserelin', 'exact'): ['Goserelin'],
    ('goserelin', 'synonym'): ['Zoladex'],
    ('goserelin+leuprorelin+tamoxifen', 'synonym'): ['tamoxiphene+leuporeline+gosereline'],
    ('ibandronic acid', 'synonym'): ['Ibandronate'],
    ('ifosfamide', 'exact'): ['Ifosfamide'],
    ('ixabepilone', 'exact'): ['Ixabepilone'],
    ('lapatinib', 'exact'): ['Lapatinib', 'lapatinib'],
    ('letrozole', 'exact'): ['LETROZOLE', 'Letrozole', 'letrozole'],
    ('letrozole', 'synonym'): ['FEMARA', 'Femara', 'Femara (Letrozole)', 'LETROZOLE (FEMARA)', 'Letrozol',
        'Letrozole (Femara)', 'femara', 'letrozolum'],
    ('leuprorelin', 'exact'): ['Leuprorelin'],
    ('leuprorelin', 'synonym'): ['LEUPROLIDE ACETATE (LUPRON)', 'LUPRON', 'Leuprolide', 'Lupron'],
    ('megestrol', 'synonym'): ['Megace'],
    ('mesna', 'synonym'): ['MESNA-1', 'MESNA-2'],
    ('methotrexate', 'exact'): ['METHOTREXATE', 'Methotrexate'],
    ('methotrexate', 'synonym'): ['metotreksat'],
    ('mitomycin', 'exact'): ['Mitomycin'],
    ('mitoxantrone', 'exact'): ['Mitoxantrone'],
    ('nab-paclitaxel', 'synonym'): ['Abraxane', 'Albumin-Bound Paclitaxel', 'Paclitaxel (Protein-Bound)',
        'abraxane'],
    ('paclitaxel', 'exact'): ['PACLITAXEL', 'Paclitaxel', 'paclitaxel'],
    ('paclitaxel', 'synonym'): ['TAXOL', 'Taxol', 'paclitaxelum', 'taxol'],
    ('palonosetron', 'synonym'): ['Aloxi'],
    ('pamidronate', 'exact'): ['Pamidronate'],
    ('pamidronate', 'synonym'): ['Pamidronic acid'],
    ('pegfilgrastim', 'synonym'): ['NEULASTA', 'Neulasta'],
    ('pegylated liposomal doxorubicin', 'synonym'): ['Doxil', 'Doxorubicin Liposome'],
    ('pemetrexed', 'exact'): ['Pemetrexed'],
    ('sodium clodronate', 'synonym'): ['Clodronate', 'clodronate', 'clodronic acid'],
    ('tamoxifen', 'exact'): ['TAMOXIFEN', 'Tamoxifen', 'tamoxifen'],
    ('tamoxifen', 'synonym'): ['Nolvadex', 'TAMOXIFEN (NOVADEX)', 'nolvadex', 'tamoxifen citrate',
        'tamoxiphene'],
    ('toremifene', 'synonym'): ['Fareston'],
    ('trabectedin', 'synonym'): ['Yondelis'],
    ('trastuzumab', 'exact'): ['TRASTUZUMAB', 'Trastuzumab', 'trastuzumab'],
    ('trastuzumab', 'synonym'): ['HERCEPTIN', 'Herceptin', 'Trustuzumab', 'herceptin'],
    ('triptorelin', 'exact'): ['Triptorelin', 'triptorelin'],
    ('vinblastine', 'exact'): ['Vinblastine'],
    ('vincristine', 'exact'): ['Vincristine'],
    ('vinorelbine', 'exact'): ['Vinorelbine'],
    ('vinorelbine', 'synonym'): ['NAVELBINE', 'Navelbine'],
    ('zoledronic acid', 'exact'): ['ZOLEDRONIC ACID', 'Zoledronic Acid', 'Zoledronic acid', 'zoledronic acid'],
    ('zoledronic acid', 'synonym'): ['Zometa'],
}
# The rest of that table stays a data-quality finding: vague, trial codes, placebo, non-cancer medicines.
TCGA_NOT_FULLY_RECOGNISED = {
    "AE-37": "unrecognised", "Chemo, NOS": "unrecognised", "E-75": "unrecognised",
    "Hormone, NOS": "unrecognised", "Metformin": "unrecognised", "Not otherwise specified": "unrecognised",
    "Poly E": "unrecognised", "Prednisone": "unrecognised", "Rituximab": "unrecognised",
    "Taxane": "unrecognised", "Tesetaxel": "unrecognised", "[Not Available]": "unrecognised",
    "[Unknown]": "unrecognised", "Bevacizumab or Placebo": "partial",
    "BEVACIZUMAB (AVASTIN)/PLACEBO PROVIDED BY STUDY": "partial",
}


@pytest.mark.parametrize("recorded, drugs, method", [
    (recorded, drugs, method) for (drugs, method), names in TCGA_RECOGNISED.items() for recorded in names])
def test_tcga_drug_names(value_set, recorded, drugs, method):
    assert mapped(value_set, recorded) == (tuple(drugs.split("+")), method)


@pytest.mark.parametrize("recorded, method", TCGA_NOT_FULLY_RECOGNISED.items())
def test_tcga_names_that_stay_findings(value_set, recorded, method):
    assert value_set.map_name(recorded).method == method


def test_tcga_tables_cover_all_205_distinct_names():
    recognised = [name for names in TCGA_RECOGNISED.values() for name in names]
    assert len(set(recognised) | set(TCGA_NOT_FULLY_RECOGNISED)) == len(recognised) + 15 == 205


def test_configuration_adds_a_drug_of_a_known_class_with_its_names():
    value_set = load_drug_value_set(extra_drugs={"Elacestrant": {"class": "other_endocrine", "names": ["Orserdu"]}},
                                    extra_names={"elacestrant dihydrochloride": "elacestrant"})
    for recorded in ("ORSERDU", "elacestrant", "Elacestrant dihydrochloride"):
        assert value_set.map_name(recorded).drugs == ("elacestrant",), recorded
    assert value_set.drugs["elacestrant"].drug_class == "other_endocrine"


@pytest.mark.parametrize("extra_drugs, message", [
    ({"elacestrant": {"class": "serd"}}, "value_sets.drugs.elacestrant has unknown class 'serd'"),
    ({"letrozole": {"class": "chemotherapy"}}, "value_sets.drugs.letrozole: letrozole is already a aromatase_inhibitor drug"),
    ({"elacestrant": {"class": "other_endocrine", "names": ["femara"]}}, "name 'femara' is listed twice"),
    ({"elacestrant": {"group": "endocrine"}}, "value_sets.drugs.elacestrant has unknown keys"),
])
def test_configuration_cannot_change_or_confuse_the_value_set(extra_drugs, message):
    with pytest.raises(ValueError, match=message):
        load_drug_value_set(extra_drugs=extra_drugs)
