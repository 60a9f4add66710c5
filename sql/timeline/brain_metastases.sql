-- Brain metastases (1.5.18-1.5.21): the first CNS event (a disease event with a brain or
-- leptomeningeal site, from index - N days), the 1.5.18 surgical criteria as recorded on it,
-- performance status (the nearest disease event within N days recording one), and the first
-- resection and brain radiotherapy from that event on.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

cns_events as (
    select e.* exclude (source_row)
    from validated.disease_events e
        join cohort c using (patient_id)
    where list_has_any(e.sites, ['brain', 'leptomeningeal'])
      and e.event_date >= c.index_date - $trigger_days_before_index
),

-- Two CNS events on one day are ordered by what they record, never by their place in the file:
-- the same extract in another row order must give the same event (and so the same rule).
first_cns_event as (
    select *
    from cns_events e
    qualify row_number() over (partition by e.patient_id order by e.event_date, e::varchar) = 1
),

performance as (
    select f.patient_id,
        arg_min(e.performance_status, (abs(datediff('day', f.event_date, e.event_date)), e.event_date,
            e.performance_status)) as performance_status
    from first_cns_event f
        join validated.disease_events e using (patient_id)
    where e.performance_status is not null
      and e.event_date between f.event_date - $sites_days_around_index and f.event_date + $sites_days_around_index
    group by f.patient_id
),

resections as (
    select patient_id, procedure_date as treatment_date
    from validated.procedures where procedure = 'brain_metastasis_resection'
),

brain_radiotherapy as (
    select patient_id, start_date as treatment_date, site
    from validated.radiotherapy where site in ('brain_whole', 'brain_partial')
),

treatments as (
    select
        f.patient_id,
        (select min(r.treatment_date) from resections r
            where r.patient_id = f.patient_id and r.treatment_date >= f.event_date) as first_resection_date,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.treatment_date >= f.event_date) as first_brain_radiotherapy_date,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.site = 'brain_whole' and r.treatment_date >= f.event_date)
            as first_whole_brain_radiotherapy_date
    from first_cns_event f
),

final as (
    select
        f.patient_id,
        f.event_date as cns_event_date,
        f.event_type as cns_event_type,
        f.sites as cns_event_sites,
        f.brain_metastasis_count,
        f.brain_metastases_resectable,
        f.extracranial_disease_controlled,
        p.performance_status as performance_status_at_cns_event,
        -- measures.md: the criteria are met only when every item is recorded as met
        coalesce(f.brain_metastasis_count between 1 and $surgery_max_brain_metastases
            and f.brain_metastases_resectable
            and f.extracranial_disease_controlled
            and p.performance_status <= $surgery_max_performance_status, false) as meets_surgical_criteria,
        t.first_resection_date,
        t.first_brain_radiotherapy_date,
        t.first_whole_brain_radiotherapy_date,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.site = 'brain_whole'
              and r.treatment_date >= t.first_resection_date) as first_whole_brain_radiotherapy_after_resection_date
    from first_cns_event f
        left join performance p using (patient_id)
        join treatments t using (patient_id)
)

select * from final order by patient_id
