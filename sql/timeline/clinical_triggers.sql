-- The first occurrence, from index - N days (brain treatment: from the index date), of each
-- clinical situation that starts a rule's window: significant fatigue reported; disease events flagged uncontrolled local disease,
-- fungating tumour or long-bone fracture risk; bone metastases first recorded (site bone); brain
-- metastasis surgery or whole brain radiotherapy (1.5.20, "surgery and/or whole brain radiotherapy").
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

fatigue as (
    select c.patient_id, 'significant_fatigue' as trigger, e.event_date as trigger_date
    from validated.care_events e
        join cohort c using (patient_id)
    where e.event_type = 'significant_fatigue_reported'
),

flagged_events as (
    select c.patient_id, flag.trigger, e.event_date as trigger_date
    from validated.disease_events e
        join cohort c using (patient_id),
        lateral (select unnest([
            case when e.uncontrolled_local_disease then 'uncontrolled_local_disease' end,
            case when e.fungating_tumour then 'fungating_tumour' end,
            case when e.long_bone_fracture_risk then 'long_bone_fracture_risk' end
        ]) as trigger) flag
    where flag.trigger is not null
),

bone_metastases as (
    select c.patient_id, 'bone_metastases' as trigger, e.event_date as trigger_date
    from validated.disease_events e
        join cohort c using (patient_id)
    where list_contains(e.sites, 'bone')
),

brain_metastasis_treatment as (
    select patient_id, 'brain_metastasis_treatment' as trigger, procedure_date as trigger_date
    from validated.procedures where procedure = 'brain_metastasis_resection'
    union all
    select patient_id, 'brain_metastasis_treatment', start_date
    from validated.radiotherapy where site = 'brain_whole'
),

final as (
    select t.patient_id, t.trigger, min(t.trigger_date) as trigger_date
    from (
        select * from fatigue
        union all select * from flagged_events
        union all select * from bone_metastases
        union all select * from brain_metastasis_treatment
    ) t
        join cohort c using (patient_id)
    -- 1.5.20 counts brain surgery or radiotherapy "after index" (measures.md); the others from index - N
    where t.trigger_date >= c.index_date - case when t.trigger = 'brain_metastasis_treatment' then 0
                                               else $trigger_days_before_index end
    group by t.patient_id, t.trigger
)

select * from final order by patient_id, trigger
