-- CG81 1.1.5: PET-CT only to make a new diagnosis of metastases when imaging is suspicious but
-- not diagnostic. Unit: PET-CT scan with purpose diagnosis or staging (or unknown) dated index +
-- $window_start_days .. + $window_end_days; adherent when another imaging result in the
-- $prior_days days before it was equivocal or suspicious. Scan ids come from timeline.imaging_scans.
with patients as (
    select patient_id, index_date, provider_code from timeline.patient_cohort
),

scans as (
    select * from timeline.imaging_scans
),

pet_ct as (
    select s.*, p.index_date, coalesce(s.provider_code, p.provider_code) as unit_provider_code
    from scans s
        join patients p using (patient_id)
    where s.modality = 'pet_ct'
      -- purpose unknown or not recorded: it may be diagnosis or staging, so the scan is a unit
      -- whose membership is unknown (insufficient data), never silently left out
      and (s.purpose in ('diagnosis', 'staging', 'unknown') or s.purpose is null)
      and s.imaging_date between p.index_date + $window_start_days and p.index_date + $window_end_days
),

prior_findings as (
    select
        t.patient_id,
        t.scan_id,
        arg_max({'date': o.imaging_date, 'modality': o.modality, 'modality_name': o.modality_name, 'result': o.result},
                (o.imaging_date, o.modality, o.result)) as finding
    from pet_ct t
        join scans o
            on o.patient_id = t.patient_id and o.scan_id <> t.scan_id and o.modality <> 'pet_ct'
           and o.result in ('equivocal', 'suspicious')
           and o.imaging_date between t.imaging_date - $prior_days and t.imaging_date
    group by all
),

final as (
    select
        t.patient_id,
        t.scan_id as unit_id,
        t.imaging_date as unit_date,
        t.unit_provider_code as provider_code,
        case when t.purpose is null or t.purpose = 'unknown'
            then 'pet_ct_purpose_unknown: the purpose of the PET-CT of ' || strftime(t.imaging_date, '%Y-%m-%d')
                || ' is not recorded, so whether it was used to diagnose or stage advanced disease is not known'
        end as population_unknown_reason,
        f.finding is not null as numerator_met,
        'after_suspicious_imaging: PET-CT of ' || strftime(t.imaging_date, '%Y-%m-%d') || ' for '
            || t.purpose || ' after a ' || f.finding.result || ' ' || f.finding.modality_name || ' on '
            || strftime(f.finding.date, '%Y-%m-%d') as adherent_reason,
        'no_suspicious_imaging_before: PET-CT of ' || strftime(t.imaging_date, '%Y-%m-%d') || ' for '
            || t.purpose || ' without an equivocal or suspicious result of other imaging in the '
            || $prior_days || ' days before it' as non_adherent_reason,
        {'pet_ct_date': t.imaging_date, 'purpose': t.purpose,
         'prior_finding': case when f.finding is not null
             then {'date': f.finding.date, 'modality': f.finding.modality, 'result': f.finding.result} end}
            as evidence
    from pet_ct t
        left join prior_findings f using (patient_id, scan_id)
)

select * from final
