-- The disease at index: sites and flags from disease events in index - N .. index + N days, and
-- menopausal status and performance status from the nearest event in that window recording one.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

events_near_index as (
    select e.*, abs(datediff('day', c.index_date, e.event_date)) as days_from_index
    from validated.disease_events e
        join cohort c using (patient_id)
    where e.event_date between c.index_date - $sites_days_around_index
                           and c.index_date + $sites_days_around_index
),

sites as (
    select patient_id, list_sort(list_distinct(flatten(list(sites)))) as sites_at_index
    from events_near_index
    where sites is not null
    group by patient_id
),

flags as (
    select
        patient_id,
        coalesce(bool_or(visceral_crisis), false) as has_visceral_crisis_at_index,
        coalesce(bool_or(uncontrolled_local_disease), false) as has_uncontrolled_local_disease_at_index,
        coalesce(bool_or(fungating_tumour), false) as has_fungating_tumour_at_index
    from events_near_index
    group by patient_id
),

menopausal as (
    select patient_id, arg_min(menopausal_status, (days_from_index, event_date, menopausal_status)) as menopausal_status
    from events_near_index
    where menopausal_status in ('pre', 'peri', 'post', 'not_applicable')
    group by patient_id
),

performance as (
    select patient_id, arg_min(performance_status, (days_from_index, event_date, performance_status)) as performance_status
    from events_near_index
    where performance_status is not null
    group by patient_id
),

final as (
    select
        c.patient_id,
        coalesce(s.sites_at_index, []::varchar[]) as sites_at_index,
        coalesce(list_contains(s.sites_at_index, 'bone'), false) as has_bone_metastases_at_index,
        coalesce(list_has_any(s.sites_at_index, ['brain', 'leptomeningeal']), false) as has_cns_metastases_at_index,
        coalesce(f.has_visceral_crisis_at_index, false) as has_visceral_crisis_at_index,
        coalesce(f.has_uncontrolled_local_disease_at_index, false) as has_uncontrolled_local_disease_at_index,
        coalesce(f.has_fungating_tumour_at_index, false) as has_fungating_tumour_at_index,
        m.menopausal_status as menopausal_status_at_index,
        p.performance_status as performance_status_at_index
    from cohort c
        left join sites s using (patient_id)
        left join flags f using (patient_id)
        left join menopausal m using (patient_id)
        left join performance p using (patient_id)
)

select * from final order by patient_id
