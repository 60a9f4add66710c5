-- raw.patients from the registry: sex from GENDER (zsex), death from VITALSTATUS D with its
-- VITALSTATUSDATE, the year of birth from AGE at the first breast diagnosis (year of diagnosis - age:
-- it may be a year late), and the provider: where the patient's first SACT drug was given, else where
-- their first radiotherapy was, else the registry catchment (CREG_CODE), else the configured code.
with mapped as (
    select p.*
    from national.sim_av_patient p
        join national.row_dispositions d on d.table_name = 'sim_av_patient' and d.source_row = p.source_row
    where d.disposition = 'mapped'
),

first_tumour as (
    select trim(patientid) as patient_id, year(diagnosis_date) - age_at_diagnosis as birth_year,
        nullif(upper(trim(creg_code)), '') as creg_code
    from national.breast_tumours
    qualify row_number() over (partition by trim(patientid) order by diagnosis_date nulls last, source_row) = 1
),

first_sact_provider as (
    select trim(r.encore_patient_id) as patient_id, arg_min(a.provider_code, (a.given_on, a.source_row)) as provider_code
    from national.sact_administrations a
        join national.sim_sact_regimen r on trim(r.merged_regimen_id) = a.regimen_id
    where a.provider_code is not null and a.given_on is not null
    group by all
),

first_radiotherapy_provider as (
    select trim(patientid) as patient_id,
        arg_min(upper(trim(orgcodeprovider)), (parse_date(apptdate), source_row)) as provider_code
    from national.sim_rtds_prescription
    where nullif(trim(orgcodeprovider), '') is not null
    group by all
)

select
    p.source_row,
    trim(p.patientid) as patient_id,
    coalesce(s.sex, 'unknown') as sex,
    t.birth_year::varchar as birth_year,
    coalesce(f.provider_code, r.provider_code, t.creg_code, $provider_when_not_recorded) as provider_code,
    null::varchar as icb_code,
    case when v.dead = 'true' then p.vitalstatusdate end as date_of_death
from mapped p
    left join national_codes.sex s on s.code = trim(p.gender)
    left join national_codes.vital_status v on v.code = upper(trim(p.vitalstatus))
    left join first_tumour t on t.patient_id = trim(p.patientid)
    left join first_sact_provider f on f.patient_id = trim(p.patientid)
    left join first_radiotherapy_provider r on r.patient_id = trim(p.patientid)
order by p.source_row
