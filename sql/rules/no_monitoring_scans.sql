-- Shared by 1.1.7 (do not use bone scintigraphy to monitor the response of bone metastases) and
-- 1.1.8 (do not use PET-CT to monitor advanced breast cancer): no scan of $modality with purpose
-- response_monitoring after the index date. Unit: patient ($bone_metastases_only limits the
-- population to patients with bone metastases at index).
with patients as (
    select * from timeline.patient_timeline
    where has_bone_metastases_at_index or not $bone_metastases_only
),

trial_regimens as (
    select patient_id, regimen_id, start_date, end_date from timeline.regimens where in_clinical_trial
),

scans_after_index as (
    select
        i.patient_id,
        i.imaging_date,
        coalesce(i.purpose, 'unknown') as purpose,
        -- response scans a trial protocol mandates are not the clinician's choice
        exists (
            select 1 from trial_regimens t
            where t.patient_id = i.patient_id
              and i.imaging_date between t.start_date and coalesce(t.end_date, i.imaging_date)
        ) as during_clinical_trial
    from validated.imaging i
        join patients p using (patient_id)
    where i.modality = $modality
      and i.imaging_date > p.index_date
),

scan_summary as (
    select
        patient_id,
        min(imaging_date) filter (where purpose = 'response_monitoring') as first_monitoring_scan_date,
        count(*) filter (where purpose = 'response_monitoring') as monitoring_scans,
        count(*) filter (where purpose = 'response_monitoring' and not during_clinical_trial) as monitoring_scans_off_trial,
        min(imaging_date) filter (where purpose = 'unknown') as first_unknown_purpose_scan_date,
        count(*) filter (where purpose = 'unknown') as unknown_purpose_scans,
        count(*) as scans_after_index
    from scans_after_index
    group by patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when s.monitoring_scans > 0 and s.monitoring_scans_off_trial = 0
            then 'clinical_trial: ' || replace($modality, '_', ' ') || ' for response monitoring only while on a clinical trial regimen'
        end as exclusion_reason,
        null as population_unknown_reason,
        case
            when coalesce(s.monitoring_scans, 0) > 0 then false
            when coalesce(s.unknown_purpose_scans, 0) > 0 then null
            else true
        end as numerator_met,
        replace($modality, '_', ' ') || ' on ' || strftime(s.first_unknown_purpose_scan_date, '%Y-%m-%d')
            || ' after index with purpose unknown' as numerator_unknown_reason,
        'no ' || replace($modality, '_', ' ') || ' used to monitor response after index' as adherent_reason,
        replace($modality, '_', ' ') || ' for response monitoring on '
            || strftime(s.first_monitoring_scan_date, '%Y-%m-%d') as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'scans_after_index': coalesce(s.scans_after_index, 0),
            'monitoring_scans': coalesce(s.monitoring_scans, 0),
            'monitoring_scans_during_clinical_trial': coalesce(s.monitoring_scans - s.monitoring_scans_off_trial, 0),
            'first_monitoring_scan_date': s.first_monitoring_scan_date,
            'unknown_purpose_scans': coalesce(s.unknown_purpose_scans, 0)
        } as evidence
    from patients p
        left join scan_summary s using (patient_id)
)

select * from final
