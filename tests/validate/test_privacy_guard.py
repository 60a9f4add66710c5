"""The privacy guard's detectors on their own (contract "Privacy"): identifier-like column names with
their close variants, NHS numbers (modulus 11) wherever they sit in free text, postcodes in any
case, and full dates. The end-to-end refusals are in test_validation.py and tests/robustness."""
import pytest
import yaml

from pipelines.contract import load_contract
from audit_rules.drug_value_set import VALUE_SET_PATH


@pytest.mark.parametrize("column", [
    "NHS Number", "nhs_number", "NHSNumber", "NHSNum", "nhs_no", "nhs_id", "NHS",
    "Date Of Birth", "dateofbirth", "patientdateofbirth", "PatientDOB", "patient_dob", "DOB", "date_birth", "birth_dt",
    "name", "patient_full_name", "pat_name", "person_name", "given_names", "Surname", "first_name", "ForeName",
    "postcode", "PostCode", "postal_code", "zip_code", "zip", "address_line_1", "home_addr", "email_address",
    "tel_no", "phone", "Mobile", "mobile_number", "MRN", "HospitalNumber", "medical_record_number", "initials",
    "HospNo", "hosp_no", "Hosp Number", "hospno", "pcode", "PCode", "post_cd", "patient_initials", "Initials",
    "Birth", "born", "Born On", "birth_date", "BirthDt", "date_born", "place_of_birth",
])
def test_identifier_column_names_and_close_variants_are_recognised(column):
    assert load_contract().looks_like_identifier(column)


@pytest.mark.parametrize("column", [
    "drug_name", "regimen_name", "concept_name", "trust_name", "site_name", "nhs_trust_code", "mobile_unit",
    "date_of_diagnosis", "birth_year", "patient_id", "consultant_code", "ethnicity", "postmenopausal", "comment",
    "year_of_birth", "BirthYr", "YOB", "live_births", "procedure_code", "hospital_site_code",
])
def test_clinical_and_organisation_columns_are_not_taken_for_identifiers(column):
    assert not load_contract().looks_like_identifier(column)


@pytest.mark.parametrize("column, year_of_birth", [
    ("year_of_birth", True), ("BirthYear", True), ("birth_yr", True), ("YOB", True),
    ("birth", False), ("year", False), ("diagnosis_year", False),
])
def test_year_of_birth_columns_are_recognised_to_check_their_values(column, year_of_birth):
    assert load_contract().is_year_of_birth(column) is year_of_birth


@pytest.mark.parametrize("text", [
    "LS1 4AP", "SW1A1AA", "ls1 4ap", "Sw1a 1aa", "sw1a1aa", "m1 1ae", "B33 8TH", "seen at ls1 4ap.", "GIR 0AA",
    "L1 3RD",  # upper case: read as an inward code, as NHS systems record postcodes
])
def test_full_postcodes_are_found_in_any_case(macros, text):
    assert macros.execute("select contains_postcode($t)", {"t": text}).fetchone()[0] is True


@pytest.mark.parametrize("text", [
    # vertebral levels and radiotherapy text in imaging.body_site or an extra column
    "L1", "l1 spine", "T12", "t12", "T12-L2", "C7", "c7 5fractions", "l1 vertebra", "L4/5", "L5 S1",
    "L2 3rd lumbar", "T12 2nd lesion", "c7 1st rib", "t4 5th", "T12 8Gy", "t12 8gy 1#", "l1 5fx", "6hr", "t9 1yr",
    "c2 4mm", "t9 2cm", "l3 10mm",
    # partial postcodes, pseudonyms, ODS codes
    "SW1A", "ls1", "P1", "PX0", "RGT01", "QUE",
])
def test_clinical_text_is_not_taken_for_a_postcode(macros, text):
    assert macros.execute("select contains_postcode($t)", {"t": text}).fetchone()[0] is False


def test_no_contract_code_or_drug_name_is_taken_for_a_postcode(macros):
    codes = [v for t in load_contract().tables.values() for c in t.columns for v in c.values]
    drugs = yaml.safe_load(VALUE_SET_PATH.read_text(encoding="utf-8"))
    names = list(drugs["drugs"]) + [n for d in drugs["drugs"].values() for n in d.get("names", [])]
    names += list(drugs.get("combinations") or {})
    texts = codes + names + [n.upper() for n in names] + [n.title() for n in names]
    found = macros.execute("select list(t) filter (where contains_postcode(t)) from unnest($texts::varchar[]) u(t)",
                           {"texts": texts}).fetchone()[0]
    assert not found, found


@pytest.mark.parametrize("text, full", [
    ("1955-03-14", True), ("14/03/1955", True), ("14.3.55", True), ("19550314", True), ("14 Mar 1955", True),
    ("14-MAR-1955", True), ("March 14th, 1955", True), ("1955-Mar-14", True), ("1955-03-14T00:00:00", True),
    ("1955", False), (" 1955 ", False), ("May 1955", False), ("nineteen fifty", False), (None, False),
])
def test_full_dates_are_recognised_in_any_common_form(macros, text, full):
    assert macros.execute("select is_full_date($t)", {"t": text}).fetchone()[0] is full


@pytest.mark.parametrize("text, found", [
    ("9434765919", True),
    ("943 476 5919", True),
    ("943-476-5919", True),
    ("ref 9434765919 seen", True),
    ("1234567890;9434765919", True),     # a second number right after another 10-digit one
    ("1234567890 9434765919", True),
    ("9434765919-1234567890", True),
    ("9434765918", False),               # wrong check digit
    ("94347659190", False),              # 11 digits: not an NHS number
    ("19434765919", False),
    ("12345678909434765919", False),     # 20 digits in a row
    ("dose 9434 7659 19", False),        # not grouped as an NHS number
    (None, False),
])
def test_nhs_numbers_are_found_wherever_they_sit_in_text(macros, text, found):
    assert macros.execute("select contains_nhs_number($t)", {"t": text}).fetchone()[0] is found
