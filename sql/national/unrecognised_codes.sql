-- Values of the national tables' coded columns that their code list (pipelines/ingest/national/codes/)
-- does not hold: each was read as unknown, and is counted here (data_quality/unrecognised_codes.csv)
-- so that a new code is seen, and added as a line in its file.
with coded as (
    select 'sim_av_patient' as table_name, 'GENDER' as column_name, trim(gender) as value, trim(gender) as code, 'sex' as code_list
    from national.sim_av_patient
    union all select 'sim_av_patient', 'VITALSTATUS', trim(vitalstatus), upper(trim(vitalstatus)), 'vital_status'
    from national.sim_av_patient
    union all select 'sim_av_tumour', 'ER_STATUS', trim(er_status), upper(trim(er_status)), 'receptor_status'
    from national.breast_tumours
    union all select 'sim_av_tumour', 'PR_STATUS', trim(pr_status), upper(trim(pr_status)), 'receptor_status'
    from national.breast_tumours
    union all select 'sim_av_tumour', 'HER2_STATUS', trim(her2_status), upper(trim(her2_status)), 'receptor_status'
    from national.breast_tumours
    union all select 'sim_av_tumour', 'PERFORMANCESTATUS', trim(performancestatus), trim(performancestatus), 'performance_status'
    from national.breast_tumours
    union all select 'sim_sact_regimen', 'INTENT_OF_TREATMENT', trim(intent_of_treatment), upper(trim(intent_of_treatment)), 'regimen_intent'
    from national.sim_sact_regimen
    union all select 'sim_sact_regimen', 'CLINICAL_TRIAL', trim(clinical_trial), upper(trim(clinical_trial)), 'clinical_trial'
    from national.sim_sact_regimen
    union all select 'sim_sact_cycle', 'PERF_STATUS_START_OF_CYCLE', trim(perf_status_start_of_cycle), trim(perf_status_start_of_cycle), 'performance_status'
    from national.sim_sact_cycle
    union all select 'sim_sact_outcome', 'REGIMEN_OUTCOME_SUMMARY', trim(regimen_outcome_summary), trim(regimen_outcome_summary), 'regimen_outcome'
    from national.sim_sact_outcome
    union all select 'sim_rtds_episode', 'RADIOTHERAPYINTENT', trim(radiotherapyintent), trim(radiotherapyintent), 'radiotherapy_intent'
    from national.sim_rtds_episode
    union all select 'sim_rtds_prescription', 'RTTREATMENTREGION', trim(rttreatmentregion), upper(trim(rttreatmentregion)), 'radiotherapy_region'
    from national.sim_rtds_prescription
    union all select 'sim_rtds_prescription', 'RTTREATMENTANATOMICALSITE', trim(rttreatmentanatomicalsite),
        left(upper(replace(trim(rttreatmentanatomicalsite), '.', '')), 3), 'radiotherapy_anatomical_site'
    from national.sim_rtds_prescription
)

select c.table_name, c.column_name, c.value, count(*) as rows,
    'not in the national code list ' || c.code_list || '.csv: read as unknown' as reason
from coded c
where coalesce(c.value, '') <> ''
  and not exists (select 1 from national_codes.all_codes k where k.code_list = c.code_list and k.code = c.code)
group by all
order by c.table_name, c.column_name, c.value
