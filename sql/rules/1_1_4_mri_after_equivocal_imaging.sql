-- CG81 1.1.4: use MRI to assess bony metastases if other imaging is equivocal. Unit: patient with
-- an equivocal bone scan, x-ray or CT in index + $window_start_days .. + $window_end_days (any
-- non-MRI modality for patients with bone metastases at index); adherent when an MRI follows the
-- first equivocal result within $mri_within_days days.
with patients as (
    select * from timeline.patient_timeline
),

first_equivocal as (
    select i.patient_id, min(i.imaging_date) as equivocal_date, arg_min(i.modality, (i.imaging_date, i.modality)) as modality
    from validated.imaging i
        join patients p using (patient_id)
    where i.result = 'equivocal'
      and i.imaging_date between p.index_date + $window_start_days and p.index_date + $window_end_days
      and (i.modality in ('bone_scintigraphy', 'xray', 'ct') or (p.has_bone_metastases_at_index and i.modality <> 'mri'))
    group by i.patient_id
),

mri_after as (
    select e.patient_id, min(i.imaging_date) as mri_date
    from first_equivocal e
        join validated.imaging i using (patient_id)
    where i.modality = 'mri' and i.imaging_date between e.equivocal_date and e.equivocal_date + $mri_within_days
    group by e.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when m.patient_id is null
            then died_before_window_closed(p.date_of_death, e.equivocal_date + $mri_within_days) end as exclusion_reason,
        null as population_unknown_reason,
        m.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        'MRI on ' || strftime(m.mri_date, '%Y-%m-%d') || ' after equivocal ' || replace(e.modality, '_', ' ')
            || ' on ' || strftime(e.equivocal_date, '%Y-%m-%d') as adherent_reason,
        'no MRI within ' || $mri_within_days || ' days after equivocal ' || replace(e.modality, '_', ' ')
            || ' on ' || strftime(e.equivocal_date, '%Y-%m-%d') as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        e.equivocal_date + $mri_within_days as window_end,
        {'equivocal_date': e.equivocal_date, 'equivocal_modality': e.modality, 'mri_date': m.mri_date} as evidence
    from first_equivocal e
        join patients p using (patient_id)
        left join mri_after m using (patient_id)
)

select * from final
