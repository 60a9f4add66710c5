-- CG81 1.1.4: use MRI to assess bony metastases if other imaging is equivocal. Unit: patient with
-- an equivocal bone scan, x-ray or CT in index + $window_start_days .. + $window_end_days (any
-- non-MRI modality for patients with bone metastases at index); adherent when an MRI follows the
-- first equivocal result within $mri_within_days days. The window is anchored on that result, so
-- a death is counted from it (resolve_outcomes.sql, through window_end).
with patients as (
    select * from timeline.patient_timeline
),

first_equivocal as (
    select
        i.patient_id,
        min(i.imaging_date) as equivocal_date,
        arg_min(i.modality, (i.imaging_date, i.modality)) as modality,
        arg_min(i.modality_name, (i.imaging_date, i.modality)) as modality_name
    from timeline.imaging_scans i
        join patients p using (patient_id)
    where i.result = 'equivocal'
      and i.imaging_date between p.index_date + $window_start_days and p.index_date + $window_end_days
      and (i.modality in ('bone_scintigraphy', 'xray', 'ct') or (p.has_bone_metastases_at_index and i.modality <> 'mri'))
    group by i.patient_id
),

mri_after as (
    select e.patient_id, min(i.imaging_date) as mri_date
    from first_equivocal e
        join timeline.imaging_scans i using (patient_id)
    where i.modality = 'mri' and i.imaging_date between e.equivocal_date and e.equivocal_date + $mri_within_days
    group by e.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        m.patient_id is not null as numerator_met,
        'mri_after_equivocal_imaging: MRI on ' || strftime(m.mri_date, '%Y-%m-%d') || ', '
            || case when m.mri_date = e.equivocal_date then 'the same day as'
                    else days_from_anchor_text(datediff('day', e.equivocal_date, m.mri_date)) end
            || ' the equivocal ' || e.modality_name || ' of ' || strftime(e.equivocal_date, '%Y-%m-%d')
            as adherent_reason,
        'no_mri_after_equivocal_imaging: no MRI within ' || $mri_within_days || ' days after the equivocal '
            || e.modality_name || ' of ' || strftime(e.equivocal_date, '%Y-%m-%d') || ' (by '
            || strftime(e.equivocal_date + $mri_within_days, '%Y-%m-%d') || ')' as non_adherent_reason,
        e.equivocal_date + $mri_within_days as window_end,
        {'equivocal_date': e.equivocal_date, 'equivocal_modality': e.modality, 'mri_date': m.mri_date} as evidence
    from first_equivocal e
        join patients p using (patient_id)
        left join mri_after m using (patient_id)
)

select * from final
