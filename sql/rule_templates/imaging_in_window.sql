-- Shared by the imaging assessment recommendations 1.1.1 (visceral metastases), 1.1.2 (bone
-- metastases of the axial skeleton) and 1.1.3 (fracture risk of proximal limb bones): a scan of
-- one of $modalities from index + $window_start_days to index + $window_end_days.
-- Unit: patient ($bone_metastases_only limits the population to bone metastases at index).
-- A death before the window's last day without the scan is judged once, in resolve_outcomes.sql.
with patients as (
    select * from timeline.patient_timeline
    where has_bone_metastases_at_index or not $bone_metastases_only
),

scans_in_window as (
    select
        i.patient_id,
        i.imaging_date,
        i.modality,
        i.modality_name,
        list_contains($modalities, i.modality) as counts
    from timeline.imaging_scans i
        join patients p using (patient_id)
    where i.imaging_date between p.index_date + $window_start_days and p.index_date + $window_end_days
),

scan_summary as (
    select
        patient_id,
        min(imaging_date) filter (where counts) as first_scan_date,
        arg_min(modality_name, (imaging_date, modality)) filter (where counts) as first_scan_modality,
        list_sort(list_distinct(list(modality) filter (where counts))) as modalities,
        list_sort(list_distinct(list(modality_name) filter (where counts))) as modality_names,
        -- PET-CT is not CT for these rules: named in the reason, so that the clinician sees why
        -- the PET-CT in the notes was not enough
        min(imaging_date) filter (where modality = 'pet_ct' and not counts) as first_pet_ct_date
    from scans_in_window
    group by patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        s.first_scan_date is not null as numerator_met,
        'scan_in_window: ' || s.first_scan_modality || ' on ' || strftime(s.first_scan_date, '%Y-%m-%d')
            || case when array_length(s.modality_names) > 1
                then ' (also ' || text_list(list_filter(s.modality_names, lambda m: m <> s.first_scan_modality), 'and')
                    || ')' else '' end
            || ', ' || index_window_text(p.index_date, $window_start_days, $window_end_days) as adherent_reason,
        'no_scan_in_window: no ' || text_list(list_transform($modalities, lambda m: imaging_modality_name(m)), 'or')
            || ' recorded ' || index_window_text(p.index_date, $window_start_days, $window_end_days)
            || coalesce('; the PET-CT of ' || strftime(s.first_pet_ct_date, '%Y-%m-%d') || ' does not count', '')
            as non_adherent_reason,
        p.index_date + $window_end_days as window_end,
        {
            'window_start': p.index_date + $window_start_days,
            'window_end': p.index_date + $window_end_days,
            'modalities_in_window': coalesce(s.modalities, []),
            'first_scan_date': s.first_scan_date,
            'pet_ct_in_window': s.first_pet_ct_date
        } as evidence
    from patients p
        left join scan_summary s using (patient_id)
)

select * from final
