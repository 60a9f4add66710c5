-- Shared by CG81 1.1.6 and QS12 statement 4: on recurrence, ER and HER2 status reassessed on a
-- metastasis or local recurrence specimen dated index + $window_start_days .. index + $window_end_days.
-- A specimen counts only with both an ER and a HER2 result. Unit: patient.
with patients as (
    select * from timeline.patient_timeline where coalesce(is_recurrence, true)
),

reassessments as (
    select s.patient_id, min(s.sample_date) as first_sample_date, count(*) as specimens
    from validated.pathology s
        join patients p using (patient_id)
    where s.specimen_origin in ('metastasis', 'local_recurrence')
      and s.er_status in ('positive', 'negative')
      and s.her2_status in ('positive', 'negative', 'borderline')
      and s.sample_date between p.index_date + $window_start_days and p.index_date + $window_end_days
    group by s.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when r.patient_id is null
            then died_before_window_closed(p.date_of_death, p.index_date + $window_end_days) end as exclusion_reason,
        case when p.is_recurrence is null
            then 'de_novo not recorded and no earlier early_diagnosis event (recurrence unknown)'
        end as population_unknown_reason,
        r.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        'ER and HER2 reassessed on a specimen of ' || strftime(r.first_sample_date, '%Y-%m-%d') as adherent_reason,
        'no metastasis or local recurrence specimen with ER and HER2 results from index - '
            || abs($window_start_days) || ' to + ' || $window_end_days || ' days' as non_adherent_reason,
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
