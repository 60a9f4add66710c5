-- Progression events after the index date, one row each with a stable id (event_<n> in date
-- order per patient) and where the disease progressed: CNS only, any site outside the CNS, or
-- sites not recorded.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

progressions as (
    select e.patient_id, e.event_date, coalesce(e.sites, []::varchar[]) as sites, e.source_row
    from validated.disease_events e
        join cohort c using (patient_id)
    where e.event_type = 'progression' and e.event_date >= c.index_date
),

final as (
    select
        patient_id,
        'event_' || row_number() over (partition by patient_id order by event_date, sites::varchar, source_row)
            as event_id,
        event_date,
        sites,
        case
            when array_length(sites) = 0 then 'unknown'
            when array_length(list_filter(sites, lambda s: s not in ('brain', 'leptomeningeal'))) = 0 then 'cns_only'
            else 'outside_cns'
        end as progression_site
    from progressions
)

select * from final order by patient_id, event_id
