"""The privacy guard's detectors on their own (contract "Privacy"): identifier-like column names with
their close variants, and NHS numbers (modulus 11) wherever they sit in free text. The end-to-end
refusals are in test_validation.py and tests/robustness."""
import pytest

from pipelines.ingest.contract import load_contract


@pytest.mark.parametrize("column", [
    "NHS Number", "nhs_number", "NHSNumber", "NHSNum", "nhs_no", "nhs_id", "NHS",
    "Date Of Birth", "dateofbirth", "patientdateofbirth", "PatientDOB", "patient_dob", "DOB", "date_birth", "birth_dt",
    "name", "patient_full_name", "pat_name", "person_name", "given_names", "Surname", "first_name", "ForeName",
    "postcode", "PostCode", "postal_code", "zip_code", "zip", "address_line_1", "home_addr", "email_address",
    "tel_no", "phone", "Mobile", "mobile_number", "MRN", "HospitalNumber", "medical_record_number", "initials",
])
def test_identifier_column_names_and_close_variants_are_recognised(column):
    assert load_contract().looks_like_identifier(column)


@pytest.mark.parametrize("column", [
    "drug_name", "regimen_name", "concept_name", "trust_name", "site_name", "nhs_trust_code", "mobile_unit",
    "date_of_diagnosis", "birth_year", "patient_id", "consultant_code", "ethnicity", "postmenopausal", "comment",
])
def test_clinical_and_organisation_columns_are_not_taken_for_identifiers(column):
    assert not load_contract().looks_like_identifier(column)


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
