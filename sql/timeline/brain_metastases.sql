-- Brain metastases (1.5.18, 1.5.19, 1.5.21): the first CNS event (a disease event with a brain or
-- leptomeningeal site, from index - N days); each 1.5.18 surgical criterion as recorded on it
-- (true: recorded as met, false: recorded as not met, NULL: not recorded); performance status at
-- it; and the brain surgery and radiotherapy from that event on.
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
    qualify row_number() over (partition by e.patient_id order by e.event_date, e.event_type, e.de_novo,
        e.sites::varchar, e.menopausal_status, e.performance_status, e.visceral_crisis, e.uncontrolled_local_disease,
        e.fungating_tumour, e.long_bone_fracture_risk, e.brain_metastasis_count, e.brain_metastases_resectable,
        e.extracranial_disease_controlled) = 1
),

-- measures.md v2: performance status at the first CNS event is that event's own; else the nearest
-- disease event recording one within N days of it (of two equally near, the earlier; of two on one
-- day, the lower score, so that row order never decides)
nearby_performance as (
    select f.patient_id,
        arg_min({'performance_status': e.performance_status, 'recorded_on': e.event_date},
            (abs(datediff('day', f.event_date, e.event_date)), e.event_date, e.performance_status))
            as nearest
    from first_cns_event f
        join validated.disease_events e using (patient_id)
    where f.performance_status is null
      and e.performance_status is not null
      and e.event_date between f.event_date - $sites_days_around_index and f.event_date + $sites_days_around_index
    group by f.patient_id
),

performance as (
    select
        f.patient_id,
        coalesce(f.performance_status, n.nearest.performance_status) as performance_status,
        case when f.performance_status is not null then f.event_date else n.nearest.recorded_on end
            as performance_status_date
    from first_cns_event f
        left join nearby_performance n using (patient_id)
),

resections as (
    select patient_id, procedure_date as treatment_date
    from validated.procedures where procedure = 'brain_metastasis_resection'
),

-- whole brain radiotherapy is a brain_whole course not recorded as stereotactic; a brain_partial
-- course, or any brain course recorded as stereotactic, is stereotactic or partial-brain
-- radiotherapy (NG99), which the rules name and never count as whole brain radiotherapy
brain_radiotherapy as (
    select r.patient_id, r.start_date as treatment_date, r.site, r.technique,
        r.site = 'brain_whole' and coalesce(r.technique, '') <> 'stereotactic' as is_whole_brain
    from validated.radiotherapy r
    where r.site in ('brain_whole', 'brain_partial')
),

treatments as (
    select
        f.patient_id,
        (select min(r.treatment_date) from resections r
            where r.patient_id = f.patient_id and r.treatment_date >= f.event_date) as first_resection_date,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.treatment_date >= f.event_date) as first_brain_radiotherapy_date,
        (select arg_min(brain_radiotherapy_name(r.site, r.technique), (r.treatment_date, r.site, r.technique))
            from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.treatment_date >= f.event_date) as first_brain_radiotherapy_name,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = f.patient_id and r.is_whole_brain and r.treatment_date >= f.event_date)
            as first_whole_brain_radiotherapy_date,
        (select arg_min({'start_date': r.treatment_date, 'name': brain_radiotherapy_name(r.site, r.technique)},
                (r.treatment_date, r.site, r.technique))
            from brain_radiotherapy r
            where r.patient_id = f.patient_id and not r.is_whole_brain and r.treatment_date >= f.event_date)
            as first_partial
    from first_cns_event f
),

-- after the first resection: the first whole brain course, and the first stereotactic or
-- partial-brain course (radiotherapy to the cavity)
after_resection as (
    select
        t.patient_id,
        (select min(r.treatment_date) from brain_radiotherapy r
            where r.patient_id = t.patient_id and r.is_whole_brain and r.treatment_date >= t.first_resection_date)
            as first_whole_brain_radiotherapy_after_resection_date,
        (select arg_min({'start_date': r.treatment_date, 'name': brain_radiotherapy_name(r.site, r.technique)},
                (r.treatment_date, r.site, r.technique))
            from brain_radiotherapy r
            where r.patient_id = t.patient_id and not r.is_whole_brain and r.treatment_date >= t.first_resection_date)
            as first_partial_after_resection
    from treatments t
),

recorded as (
    select
        f.patient_id,
        f.event_date as cns_event_date,
        f.event_type as cns_event_type,
        f.sites as cns_event_sites,
        f.brain_metastasis_count,
        f.brain_metastases_resectable,
        f.extracranial_disease_controlled,
        p.performance_status as performance_status_at_cns_event,
        p.performance_status_date,
        $sites_days_around_index as performance_status_days_around_event,
        -- each 1.5.18 criterion: met, not met (count over the limit, performance status above it),
        -- or not recorded; a count of 0 is neither (no discrete metastasis to count or resect)
        case when f.brain_metastasis_count between 1 and $surgery_max_brain_metastases then true
             when f.brain_metastasis_count > $surgery_max_brain_metastases then false end as count_criterion_met,
        f.brain_metastases_resectable as resectable_criterion_met,
        p.performance_status <= $surgery_max_performance_status as performance_criterion_met,
        f.extracranial_disease_controlled as extracranial_criterion_met,
        $surgery_max_brain_metastases as surgery_max_brain_metastases,
        $surgery_max_performance_status as surgery_max_performance_status,
        t.first_resection_date,
        t.first_brain_radiotherapy_date,
        t.first_brain_radiotherapy_name,
        t.first_whole_brain_radiotherapy_date,
        t.first_partial.start_date as first_partial_brain_radiotherapy_date,
        t.first_partial.name as first_partial_brain_radiotherapy_name,
        a.first_whole_brain_radiotherapy_after_resection_date,
        a.first_partial_after_resection.start_date as first_partial_brain_radiotherapy_after_resection_date,
        a.first_partial_after_resection.name as first_partial_brain_radiotherapy_after_resection_name
    from first_cns_event f
        join performance p using (patient_id)
        join treatments t using (patient_id)
        join after_resection a using (patient_id)
),

-- measures.md "Disease-event flags": the criteria are met only when every item is recorded as met;
-- surgery is not appropriate (1.5.19) when any item is recorded as not met
final as (
    select
        *,
        coalesce(count_criterion_met and resectable_criterion_met and performance_criterion_met
            and extracranial_criterion_met, false) as meets_surgical_criteria,
        coalesce(not count_criterion_met or not resectable_criterion_met or not performance_criterion_met
            or not extracranial_criterion_met, false) as fails_surgical_criteria
    from recorded
)

select * from final order by patient_id
