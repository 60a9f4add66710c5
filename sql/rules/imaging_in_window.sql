-- Shared by the imaging assessment recommendations 1.1.1 (visceral metastases), 1.1.2 (bone
-- metastases of the axial skeleton) and 1.1.3 (fracture risk of proximal limb bones): a scan of
-- one of $modalities from index + $window_start_days to index + $window_end_days.
-- Unit: patient ($bone_metastases_only limits the population to bone metastases at index).
with patients as (
    select * from timeline.patient_timeline
    where has_bone_metastases_at_index or not $bone_metastases_only
),

scans_in_window as (
    select
        i.patient_id,
        min(i.imaging_date) as first_scan_date,
        list_sort(list_distinct(list(i.modality))) as modalities
    from validated.imaging i
        join patients p using (patient_id)
    where list_contains($modalities, i.modality)
      and i.imaging_date between p.index_date + $window_start_days and p.index_date + $window_end_days
    group by i.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when s.patient_id is null
            then died_before_window_closed(p.date_of_death, p.index_date + $window_end_days) end as exclusion_reason,
        null as population_unknown_reason,
        s.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        array_to_string(s.modalities, ', ') || ' from ' || strftime(s.first_scan_date, '%Y-%m-%d')
            as adherent_reason,
        'no ' || array_to_string($modalities, ', ') || ' from index - ' || abs($window_start_days)
            || ' to + ' || $window_end_days || ' days' as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        p.index_date + $window_end_days as window_end,
        {
            'window_start': p.index_date + $window_start_days,
            'window_end': p.index_date + $window_end_days,
            'modalities_in_window': s.modalities,
            'first_scan_date': s.first_scan_date
        } as evidence
    from patients p
        left join scans_in_window s using (patient_id)
)

select * from final
