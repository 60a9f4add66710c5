-- Shared by 1.1.7 (do not use bone scintigraphy to monitor the response of bone metastases) and
-- 1.1.8 (do not use PET-CT to monitor advanced breast cancer): no scan of $modality with purpose
-- response_monitoring after the index date. Unit: patient ($bone_metastases_only limits the
-- population to patients with bone metastases at index).
-- The numerator asks that something NOT happen, with no window end: a death closes the watch and
-- the patient is judged on the record up to it (measures.md "Deaths"), so window_end stays NULL.
with patients as (
    select * from timeline.patient_timeline
    where has_bone_metastases_at_index or not $bone_metastases_only
),

trial_regimens as (
    select patient_id, regimen_id, start_date, end_date, drugs from timeline.regimens where in_clinical_trial
),

scans_after_index as (
    select
        i.patient_id,
        i.imaging_date,
        i.modality_name,
        coalesce(i.purpose, 'unknown') as purpose,
        -- response scans a trial protocol mandates are not the clinician's choice
        (
            select arg_min({'start_date': t.start_date, 'drugs': t.drugs}, (t.start_date, t.regimen_id))
            from trial_regimens t
            where t.patient_id = i.patient_id
              and i.imaging_date between t.start_date and coalesce(t.end_date, i.imaging_date)
        ) as trial_regimen
    from timeline.imaging_scans i
        join patients p using (patient_id)
    where i.modality = $modality
      and i.imaging_date > p.index_date
),

scan_summary as (
    select
        patient_id,
        any_value(modality_name) as modality_name,
        min(imaging_date) filter (where purpose = 'response_monitoring') as first_monitoring_scan_date,
        count(*) filter (where purpose = 'response_monitoring') as monitoring_scans,
        count(*) filter (where purpose = 'response_monitoring' and trial_regimen is null) as monitoring_scans_off_trial,
        -- the scan that makes a patient non-adherent: the first one outside a clinical trial
        min(imaging_date) filter (where purpose = 'response_monitoring' and trial_regimen is null)
            as first_off_trial_monitoring_scan_date,
        arg_min(trial_regimen, imaging_date) filter (where purpose = 'response_monitoring') as first_trial_regimen,
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
            then 'clinical_trial: ' || s.modality_name || ' to monitor response on '
                || strftime(s.first_monitoring_scan_date, '%Y-%m-%d')
                || case when s.monitoring_scans > 1 then ' and later' else '' end
                || ' only while in a clinical trial (regimen started '
                || strftime(s.first_trial_regimen.start_date, '%Y-%m-%d') || ': '
                || array_to_string(s.first_trial_regimen.drugs, ', ')
                || '), whose protocol may require it'
        end as exclusion_reason,
        case
            when coalesce(s.monitoring_scans, 0) > 0 then false
            when coalesce(s.unknown_purpose_scans, 0) > 0 then null
            else true
        end as numerator_met,
        'scan_purpose_unknown: ' || s.modality_name || ' on ' || strftime(s.first_unknown_purpose_scan_date, '%Y-%m-%d')
            || ', after the diagnosis of advanced disease (' || strftime(p.index_date, '%Y-%m-%d')
            || '), has no recorded purpose: it may have been used to monitor response' as numerator_unknown_reason,
        'no_monitoring_scan: no ' || imaging_modality_name($modality) || ' used to monitor response after the diagnosis of '
            || 'advanced disease (' || strftime(p.index_date, '%Y-%m-%d') || ')'
            || coalesce(' up to the patient''s death on ' || strftime(p.date_of_death, '%Y-%m-%d'), '')
            as adherent_reason,
        'monitoring_scan: ' || imaging_modality_name($modality) || ' used to monitor response on '
            || strftime(s.first_off_trial_monitoring_scan_date, '%Y-%m-%d')
            || case
                when s.monitoring_scans > s.monitoring_scans_off_trial
                    then ' (' || s.monitoring_scans_off_trial || ' outside a clinical trial; '
                         || (s.monitoring_scans - s.monitoring_scans_off_trial) || ' more during one)'
                when s.monitoring_scans > 1 then ' (' || s.monitoring_scans || ' such scans)'
                else ''
            end as non_adherent_reason,
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
