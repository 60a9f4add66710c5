-- raw.disease_events. A breast tumour metastatic at diagnosis is a de novo metastatic diagnosis on its
-- DIAGNOSISDATEBEST (later recurrences are not in these tables: the national cohort is de novo stage
-- 4); one that was not is an early diagnosis. Performance status at diagnosis: the tumour's
-- PERFORMANCESTATUS, else the nearest SACT cycle's (PERF_STATUS_START_OF_CYCLE) from 30 days before to
-- 90 days after diagnosis; both through codes/performance_status.csv (ECOG 0-4; Lansky 00-11 converted;
-- `01` is Lansky 90%, not ECOG 1). Menopausal status is not recorded: inferred from age only when
-- configured (national.infer_menopausal_status_from_age). SACT's "progressive disease" outcome
-- (REGIMEN_OUTCOME_SUMMARY 2) is a progression on the regimen's final treatment (else its last drug).
-- Metastatic sites are not recorded, so no event has sites.
with tumours as (
    select b.*
    from national.breast_tumours b
        join national.row_dispositions d on d.table_name = 'sim_av_tumour' and d.source_row = b.source_row
    where d.disposition = 'mapped'
),

cycle_performance as (
    select r.patient_id, parse_date(c.start_date_of_cycle) as cycle_date, ps.ecog, c.source_row
    from national.sim_sact_cycle c
        join national.sact_regimens r on r.regimen_id = trim(c.merged_regimen_id)
        join national_codes.performance_status ps on ps.code = trim(c.perf_status_start_of_cycle)
    where ps.ecog is not null
),

diagnosis_performance as (
    select t.source_row,
        arg_min(p.ecog, (abs(date_diff('day', t.diagnosis_date, p.cycle_date)), p.cycle_date, p.source_row)) as ecog
    from tumours t
        join cycle_performance p on p.patient_id = trim(t.patientid)
            and p.cycle_date between t.diagnosis_date - 30 and t.diagnosis_date + 90
    group by all
),

diagnoses as (
    select
        1 as origin_order,
        t.source_row as origin_row,
        trim(t.patientid) as patient_id,
        t.diagnosisdatebest as event_date,
        case when t.metastatic_at_diagnosis then 'metastatic_diagnosis' else 'early_diagnosis' end as event_type,
        case when t.metastatic_at_diagnosis then 'true' end as de_novo,
        case when t.metastatic_at_diagnosis and $infer_menopausal_status_from_age
                  and t.age_at_diagnosis >= $postmenopausal_from_age then 'post' end as menopausal_status,
        case when t.metastatic_at_diagnosis then coalesce(tp.ecog, dp.ecog) end as performance_status
    from tumours t
        left join national_codes.performance_status tp on tp.code = trim(t.performancestatus)
        left join diagnosis_performance dp on dp.source_row = t.source_row
),

progressions as (
    select
        2 as origin_order,
        r.source_row as origin_row,
        r.patient_id,
        coalesce(nullif(trim(r.date_of_final_treatment), ''), strftime(r.last_given, '%Y-%m-%d')) as event_date,
        'progression' as event_type,
        null as de_novo,
        null as menopausal_status,
        null as performance_status
    from national.sact_regimens r
    where r.ended_by_progression
)

select
    row_number() over (order by origin_order, origin_row) as source_row,
    patient_id, event_date, event_type, de_novo, menopausal_status, performance_status
from (select * from diagnoses union all select * from progressions)
