-- raw.systemic_therapy: one row per drug of each mapped SACT regimen. The drug is SACT's DRUG_GROUP,
-- read through the audit's drug value set like any recorded name (`TRASTUZUMAB` is trastuzumab;
-- `NOT CHEMO` rows are not drugs and were left out in row_dispositions.sql). A regimen without any
-- drug row is named by its BENCHMARK_GROUP, else its MAPPED_REGIMEN (`DOCETAXEL + TRASTUZUMAB` reads
-- as both drugs). A drug starts at its first administration (else the regimen's start) and ends at
-- its last (else the regimen's final treatment); intent, trial and end reason are the regimen's
-- (codes/regimen_intent.csv, clinical_trial.csv, regimen_outcome.csv); the provider is where the
-- drug was first given (ORG_CODE_OF_DRUG_PROVIDER, when the extract has it).
with drugs as (
    select
        a.regimen_id,
        a.drug_group as drug_name,
        min(a.given_on) as first_given,
        max(a.given_on) as last_given,
        arg_min(a.provider_code, (a.given_on, a.source_row)) as provider_code
    from national.sact_administrations a
        join national.row_dispositions d on d.table_name = 'sim_sact_drug_detail' and d.source_row = a.source_row
    where d.disposition = 'mapped'
    group by all
),

regimens_with_drug_rows as (
    select distinct regimen_id from national.sact_administrations where regimen_id is not null
),

regimen_drugs as (
    select r.source_row as regimen_row, r.* exclude (first_given, last_given), d.drug_name, d.first_given, d.last_given, d.provider_code
    from national.sact_regimens r
        join drugs d using (regimen_id)
    union all  -- the same columns in the same order in both branches
    select r.source_row as regimen_row, r.* exclude (first_given, last_given), coalesce(r.benchmark_group, r.mapped_regimen) as drug_name,
        null::date as first_given, null::date as last_given, null::varchar as provider_code
    from national.sact_regimens r
    where r.regimen_id not in (select regimen_id from regimens_with_drug_rows)
)

select
    row_number() over (order by regimen_row, drug_name) as source_row,
    patient_id,
    regimen_id,
    drug_name,
    coalesce(strftime(first_given, '%Y-%m-%d'), start_date_of_regimen) as start_date,
    coalesce(strftime(last_given, '%Y-%m-%d'), date_of_final_treatment) as end_date,
    intent,
    end_reason,
    provider_code,
    clinical_trial
from regimen_drugs
