"""A national-format extract the audit cannot use is refused in one line saying what to do; the
layout's pseudonymous keys are exempt from the NHS-number check, every other column is not."""
import pytest

from pipelines.ingest.structure import ExtractRefused
from tests.national.conftest import adapt, rows

VALID_NHS_NUMBER = "9434765919"  # passes the modulus 11 check


@pytest.fixture
def audited(extract):
    patient = extract.patient("1000000001")
    extract.tumour(patient, "2023-01-10")
    extract.regimen(patient, "2023-02-01", ["LETROZOLE"])
    return extract


def test_a_patient_key_that_passes_modulus_11_is_not_an_nhs_number(extract, tmp_path):
    extract.tumour(extract.patient(VALID_NHS_NUMBER), "2023-01-10")
    extract.regimen(VALID_NHS_NUMBER, "2023-02-01", ["LETROZOLE"])
    assert rows(adapt(extract, tmp_path), "select patient_id from raw.patients") == [(VALID_NHS_NUMBER,)]


def test_an_nhs_number_in_any_other_column_is_refused(audited, tmp_path):
    audited.rows["sim_av_patient"][0]["ETHNICITY"] = VALID_NHS_NUMBER
    audited.rows["sim_sact_regimen"][0]["BENCHMARK_GROUP"] = f"LETROZOLE {VALID_NHS_NUMBER}"
    with pytest.raises(ExtractRefused, match=r"direct identifier refused: sim_sact_regimen.csv column BENCHMARK_GROUP "
                                             r"holds valid NHS numbers in 1 row"):
        adapt(audited, tmp_path)


def test_a_file_name_holding_an_nhs_number_is_refused_unprinted(audited, tmp_path):
    (tmp_path / f"letter {VALID_NHS_NUMBER}.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ExtractRefused, match="1 file name.s. in the extract folder hold valid NHS numbers") as refused:
        adapt(audited, tmp_path)
    assert VALID_NHS_NUMBER not in str(refused.value)


def test_a_column_named_like_an_identifier_is_refused(audited, tmp_path):
    audited.rows["sim_av_patient"][0]["NHS_NUMBER"] = "x"
    with pytest.raises(ExtractRefused, match="sim_av_patient.csv has a column 'NHS_NUMBER'"):
        adapt(audited, tmp_path, extra_columns={"sim_av_patient": ["NHS_NUMBER"]})


def test_a_required_table_missing_is_refused(audited, tmp_path):
    with pytest.raises(ExtractRefused, match="required table sim_av_tumour missing"):
        adapt(audited, tmp_path, omit=("sim_av_tumour",))


def test_a_needed_column_missing_is_refused(audited, tmp_path):
    with pytest.raises(ExtractRefused, match="sim_av_tumour.csv lacks the column DIAGNOSISDATEBEST"):
        adapt(audited, tmp_path, drop_columns={"sim_av_tumour": ["DIAGNOSISDATEBEST"]})


def test_without_any_stage_column_no_cohort_can_be_found(audited, tmp_path):
    with pytest.raises(ExtractRefused, match="has neither M_BEST nor STAGE_BEST"):
        adapt(audited, tmp_path, drop_columns={"sim_av_tumour": ["M_BEST", "STAGE_BEST"]})


def test_without_a_metastatic_breast_tumour_there_is_no_one_to_audit(extract, tmp_path):
    extract.tumour(extract.patient("1000000001"), "2023-01-10", m_best="0", stage="2")
    with pytest.raises(ExtractRefused, match="none of the 1 breast cancer .C50. tumour.s. .* is recorded as metastatic"):
        adapt(extract, tmp_path)


def test_optional_tables_may_be_absent(audited, tmp_path):
    con = adapt(audited, tmp_path, omit=("sim_rtds_prescription", "sim_rtds_episode", "sim_rtds_exposure",
                                         "sim_sact_outcome"))
    assert rows(con, "select count(*) from raw.radiotherapy") == [(0,)]
    assert rows(con, "select file_name from bookkeeping.input_files where table_name = 'radiotherapy'") == [(None,)]


def test_tables_and_columns_are_matched_in_any_case(audited, tmp_path):
    audited.write(tmp_path)
    (tmp_path / "sim_av_patient.csv").rename(tmp_path / "SIM_AV_PATIENT.CSV")
    text = (tmp_path / "sim_av_tumour.csv").read_text().replace("DIAGNOSISDATEBEST", "DiagnosisDateBest")
    (tmp_path / "sim_av_tumour.csv").write_text(text)
    import duckdb

    from pipelines.config import load_config
    from pipelines.ingest.national.adapter import ingest_national
    from pipelines.sql_runner import load_macros
    con = duckdb.connect()
    load_macros(con)
    ingest_national(con, tmp_path, {**load_config().section("national"), "latest_valid_date": load_config().latest_valid_date})
    assert rows(con, "select patient_id, event_date from raw.disease_events") == [("1000000001", "2023-01-10")]


def test_a_national_setting_that_cannot_be_used_refuses_the_configuration(audited, tmp_path, capsys):
    from pipelines.cli import main

    audited.write(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text("national:\n  provider_when_not_recorded: not a code\n", encoding="utf-8")
    status = main(["run", "--input", str(tmp_path), "--output", str(tmp_path / "out"), "--config", str(config),
                   "--input-format", "national"])
    assert status == 2
    assert "'national.provider_when_not_recorded' must be an ODS-like code" in capsys.readouterr().err


def test_parquet_tables_are_read_like_csv(audited, tmp_path):
    import duckdb

    audited.write(tmp_path)
    csv_path = tmp_path / "sim_sact_drug_detail.csv"
    with duckdb.connect() as con:  # as an analyst's export would be: typed columns, dates as DATE
        con.execute(f"""copy (select * replace (ADMINISTRATION_DATE::date as ADMINISTRATION_DATE)
                        from read_csv('{csv_path}', header = true)) to '{tmp_path / "sim_sact_drug_detail.parquet"}'""")
    csv_path.unlink()
    from pipelines.config import load_config
    from pipelines.ingest.national.adapter import ingest_national
    from pipelines.sql_runner import load_macros
    con = duckdb.connect()
    load_macros(con)
    ingest_national(con, tmp_path, {**load_config().section("national"), "latest_valid_date": load_config().latest_valid_date})
    assert rows(con, "select drug_name, start_date from raw.systemic_therapy") == [("LETROZOLE", "2023-02-01")]


def test_the_coverage_lists_every_rule_of_the_catalogue_once():
    from audit_rules.catalogue import load_catalogue
    from pipelines.ingest.national.coverage import COVERAGE_PATH, LEVELS, national_coverage

    listed = [line.split(",")[0] for line in COVERAGE_PATH.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(listed) == sorted(r.id for r in load_catalogue().rules)
    coverage = national_coverage()
    assert {c.coverage for c in coverage.values()} <= set(LEVELS)
    assert all(c.why for c in coverage.values() if c.coverage != "judged")


def test_the_national_format_fixes_what_the_datasets_cannot_record(tmp_path, monkeypatch):
    """Whatever the configuration says: SACT lacks oral drugs and adjuvant history, and menopausal status
    is recorded as inferred exactly when the age inference is on; reviews can come from the environment."""
    from pipelines.resources import default_resources

    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  prior_therapy_history: complete\n  oral_endocrine_therapy_recorded: true\n"
                      "national:\n  infer_menopausal_status_from_age: true\n", encoding="utf-8")
    import os

    monkeypatch.setenv("ABC_AUDIT_REVIEWS", os.pathsep.join([str(tmp_path / "a.csv"), str(tmp_path / "b.xlsx")]))
    national = default_resources(str(tmp_path), str(tmp_path / "out"), str(config), "national")["audit"]
    timeline = national.config.section("timeline")
    assert (timeline["prior_therapy_history"], timeline["oral_endocrine_therapy_recorded"],
            timeline["menopausal_status_inferred_from_age"]) == ("partial", False, True)
    assert [p.name for p in national.review_paths] == ["a.csv", "b.xlsx"]
    canonical = default_resources(str(tmp_path), str(tmp_path / "out"), str(config))["audit"].config.section("timeline")
    assert (canonical["prior_therapy_history"], canonical["oral_endocrine_therapy_recorded"],
            canonical["menopausal_status_inferred_from_age"]) == ("complete", True, False)
