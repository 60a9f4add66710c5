-- Receptor status at index, per receptor: the result closest to the index date among specimens
-- dated up to index + 60 days, preferring a metastasis specimen dated index - 30 .. index + 60.
-- A specimen whose result for a receptor is missing or unknown is not used for that receptor.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

results as (
    select * from validated.pathology
        unpivot (status for receptor in (er_status as 'er', pr_status as 'pr', her2_status as 'her2'))
),

usable_results as (
    select
        r.patient_id,
        r.receptor,
        r.status,
        r.sample_date,
        r.specimen_origin,
        r.specimen_origin = 'metastasis'
            and r.sample_date between c.index_date - $metastasis_specimen_days_before_index
                                  and c.index_date + $receptor_days_after_index as is_preferred,
        abs(datediff('day', c.index_date, r.sample_date)) as days_from_index
    from results r
        join cohort c using (patient_id)
    where r.status in ('positive', 'negative', 'borderline')
      and r.sample_date <= c.index_date + $receptor_days_after_index
),

chosen as (
    select patient_id, receptor,
        arg_min({'status': status, 'sample_date': sample_date, 'specimen_origin': specimen_origin},
                (not is_preferred, days_from_index, -epoch(sample_date), specimen_origin, status)) as result
    from usable_results
    group by patient_id, receptor
),

final as (
    select
        c.patient_id,
        coalesce(er.result.status, 'unknown') as er_status,
        coalesce(pr.result.status, 'unknown') as pr_status,
        coalesce(her2.result.status, 'unknown') as her2_status,
        er.result.sample_date as er_sample_date,
        er.result.specimen_origin as er_specimen_origin,
        her2.result.sample_date as her2_sample_date,
        her2.result.specimen_origin as her2_specimen_origin
    from cohort c
        left join chosen er on er.patient_id = c.patient_id and er.receptor = 'er'
        left join chosen pr on pr.patient_id = c.patient_id and pr.receptor = 'pr'
        left join chosen her2 on her2.patient_id = c.patient_id and her2.receptor = 'her2'
)

select * from final order by patient_id
