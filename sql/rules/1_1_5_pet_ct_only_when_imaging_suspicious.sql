-- CG81 1.1.5: PET-CT only to make a new diagnosis of metastases when imaging is suspicious but
-- not diagnostic. Unit: PET-CT scan with purpose diagnosis or staging (or unknown) dated index +
-- $window_start_days .. + $window_end_days; adherent when another imaging result in the
-- $prior_days days before it was equivocal or suspicious.
with patients as (
    select patient_id, index_date, provider_code from timeline.patient_cohort
),

-- scan ids follow what a scan records, so another row order of the file gives the same ids
-- (source_row orders only rows that are the same in every column)
scans as (
    select
        i.*,
        'scan_' || row_number() over (partition by i.patient_id
            order by i.imaging_date, i.modality, i.purpose, i.result, i.body_site, i.provider_code, i.source_row) as scan_id
    from validated.imaging i
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
    select t.patient_id, t.scan_id, arg_max({'date': o.imaging_date, 'modality': o.modality, 'result': o.result},
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
        null as exclusion_reason,
        case when t.purpose is null or t.purpose = 'unknown' then 'PET-CT purpose unknown' end
            as population_unknown_reason,
        f.finding is not null as numerator_met,
        null as numerator_unknown_reason,
        'after ' || f.finding.result || ' ' || replace(f.finding.modality, '_', ' ') || ' on '
            || strftime(f.finding.date, '%Y-%m-%d') as adherent_reason,
        'no equivocal or suspicious imaging in the ' || $prior_days || ' days before this PET-CT' as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {'pet_ct_date': t.imaging_date, 'purpose': t.purpose, 'prior_finding': f.finding} as evidence
    from pet_ct t
        left join prior_findings f using (patient_id, scan_id)
)

select * from final
