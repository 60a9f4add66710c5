-- The first occurrence, from index - N days (brain treatment: from the index date), of each
-- clinical situation that starts a rule's window: significant fatigue reported; disease events flagged uncontrolled local disease,
-- fungating tumour or long-bone fracture risk; bone metastases first recorded (site bone); brain
-- metastasis surgery or whole brain radiotherapy (1.5.20, "surgery and/or whole brain radiotherapy":
-- partial-brain and stereotactic courses do not start it). recorded_as lists what was recorded on
-- that first date (the disease event type, or the surgery and/or whole brain radiotherapy), so a
-- reason can name it.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

fatigue as (
    select c.patient_id, 'significant_fatigue' as trigger, e.event_date as trigger_date, e.event_type as recorded
    from validated.care_events e
        join cohort c using (patient_id)
    where e.event_type = 'significant_fatigue_reported'
),

flagged_events as (
    select c.patient_id, flag.trigger, e.event_date as trigger_date, e.event_type as recorded
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
    select c.patient_id, 'bone_metastases' as trigger, e.event_date as trigger_date, e.event_type as recorded
    from validated.disease_events e
        join cohort c using (patient_id)
    where list_contains(e.sites, 'bone')
),

brain_metastasis_treatment as (
    select patient_id, 'brain_metastasis_treatment' as trigger, procedure_date as trigger_date, procedure as recorded
    from validated.procedures where procedure = 'brain_metastasis_resection'
    union all
    select patient_id, 'brain_metastasis_treatment', start_date, site
    -- whole brain radiotherapy as 1.5.18-1.5.21 read it (timeline.brain_metastases): a brain_whole
    -- course recorded as stereotactic is not whole brain radiotherapy
    from validated.radiotherapy where site = 'brain_whole' and technique is distinct from 'stereotactic'
),

in_time as (
    select t.*, min(t.trigger_date) over (partition by t.patient_id, t.trigger) as first_date
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
),

final as (
    select
        patient_id,
        trigger,
        min(trigger_date) as trigger_date,
        list_sort(list_distinct(list(recorded) filter (where trigger_date = first_date))) as recorded_as
    from in_time
    group by patient_id, trigger
)

select * from final order by patient_id, trigger
