-- Shared by CG81 1.1.6 and QS12 statement 4: on recurrence, ER and HER2 status reassessed on a
-- metastasis or local recurrence specimen dated index + $window_start_days .. index + $window_end_days.
-- A specimen counts only with both an ER and a HER2 result. Unit: patient. Deaths are judged
-- once, in resolve_outcomes.sql, from window_end.
with patients as (
    select * from timeline.patient_timeline where coalesce(is_recurrence, true)
),

specimens_in_window as (
    select
        s.patient_id,
        s.sample_date,
        s.specimen_origin,
        s.is_receptor_assessed as assessed
    from timeline.pathology_specimens s
        join patients p using (patient_id)
    where s.specimen_origin in ('metastasis', 'local_recurrence')
      and s.sample_date between p.index_date + $window_start_days and p.index_date + $window_end_days
),

reassessments as (
    select
        patient_id,
        min(sample_date) filter (where assessed) as first_sample_date,
        arg_min(specimen_origin, (sample_date, specimen_origin)) filter (where assessed) as first_specimen_origin,
        count(*) filter (where assessed) as specimens,
        -- a specimen of the recurrence without both results: named, so the clinician can check it
        min(sample_date) filter (where not assessed) as first_incomplete_sample_date
    from specimens_in_window
    group by patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when p.is_recurrence is null
            then 'recurrence_unknown: whether the advanced disease is a recurrence is not recorded (not marked '
                || 'as de novo or not, and no earlier diagnosis of early breast cancer)'
        end as population_unknown_reason,
        r.first_sample_date is not null as numerator_met,
        'receptors_reassessed: ER and HER2 status assessed on a '
            || replace(r.first_specimen_origin, '_', ' ') || ' specimen of '
            || strftime(r.first_sample_date, '%Y-%m-%d') as adherent_reason,
        'receptors_not_reassessed: no metastasis or local recurrence specimen with both ER and HER2 results '
            || index_window_text(p.index_date, $window_start_days, $window_end_days)
            || coalesce('; the specimen of ' || strftime(r.first_incomplete_sample_date, '%Y-%m-%d')
                || ' lacks a usable ER or HER2 result', '') as non_adherent_reason,
        ['biopsy'] as exception_treatments,
        p.index_date + $window_end_days as exception_window_end,
        p.index_date + $window_end_days as window_end,
        {
            'de_novo': p.de_novo,
            'is_recurrence': p.is_recurrence,
            'first_reassessment_date': r.first_sample_date,
            'reassessed_specimens': coalesce(r.specimens, 0)
        } as evidence
    from patients p
        left join reassessments r using (patient_id)
)

select * from final
