"""Bad extracts for the privacy guard beyond the first ones in corpus.py: postcodes in any case (and
vertebral levels and doses, which are not postcodes), columns about birth, abbreviated names."""
from __future__ import annotations

from tests.robustness.damage import BadExtract, add_column, both, edit

CASES: list[BadExtract] = [
    # --- refused, table and column named, value never shown --------------------------------------
    BadExtract("lower_case_postcode_in_free_text", edit("imaging", 2, body_site="seen at ls1 4ap"),
               refused="imaging.body_site holds postcodes in 1 row(s)", never_printed="ls1 4ap"),
    BadExtract("mixed_case_postcode_in_extra_column", add_column("care_events", "location", "Sw1a 1aa"),
               refused="care_events.location holds postcodes in 3 row(s)", never_printed="Sw1a 1aa"),
    BadExtract("birth_column", add_column("patients", "Birth", "1955-03-14"),
               refused="patients.csv has a column 'Birth', which looks like a personal identifier", never_printed="1955-03-14"),
    BadExtract("born_column", add_column("disease_events", "Born", "14/03/1955"),
               refused="disease_events.csv has a column 'Born', which looks like a personal identifier", never_printed="14/03/1955"),
    BadExtract("full_date_in_an_extra_year_of_birth_column", add_column("procedures", "YearOfBirth", "14 Mar 1955"),
               refused="procedures.year_of_birth holds full dates of birth in 3 row(s)", never_printed="14 Mar 1955"),
    BadExtract("abbreviated_hospital_number", add_column("patients", "HospNo", "H123456"),
               refused="patients.csv has a column 'HospNo', which looks like a personal identifier", never_printed="H123456"),
    BadExtract("patient_initials", add_column("care_events", "patient_initials", "JQS"),
               refused="care_events.csv has a column 'patient_initials', which looks like a personal identifier", never_printed="JQS"),
    BadExtract("postcode_abbreviated", add_column("patients", "pcode", "LS1"),
               refused="patients.csv has a column 'pcode', which looks like a personal identifier"),
    # --- accepted: not identifiers ---------------------------------------------------------------
    BadExtract("vertebral_levels_and_doses_are_not_postcodes", both(
        edit("imaging", 0, body_site="l1 spine, T12-L2"), edit("imaging", 1, body_site="L2 3rd lumbar, T12 8Gy"),
        edit("imaging", 2, body_site="c7 5fx, c2 4mm")), rows_accepted={"imaging": 3}),
    BadExtract("years_in_an_extra_year_of_birth_column", add_column("procedures", "YOB", "1955"),
               rows_accepted={"procedures": 3}),
]
