-- Every recorded event of the patients on any provider's review list, for the review pack's
-- timelines (pipelines/reports/review_pack.py): one row per event with its lane, dates, a label in
-- words and its own id (a regimen or course id, which a rule's evidence may name).
with patients as (
    select distinct patient_id from rules.case_outcomes where outcome in ('non_adherent', 'insufficient_data')
),

events as (
    select patient_id, 'Disease' as lane, event_date as start_date, null::date as end_date,
        replace(event_type, '_', ' ') || coalesce(' (' || array_to_string(sites, ', ') || ')', '') as label,
        null::varchar as ref
    from validated.disease_events
    union all
    select patient_id, 'Systemic therapy', start_date, end_date,
        coalesce(array_to_string(drugs, ' + '), 'unrecognised drugs')
            || coalesce(' (' || intent || ')', ''), regimen_id
    from timeline.regimens
    union all
    select patient_id, 'Radiotherapy', start_date, null,
        replace(site, '_', ' ') || coalesce(', ' || number_text(prescribed_dose_gy::double) || ' Gy', '')
            || coalesce(' in ' || prescribed_fractions || ' fr', '') || coalesce(', ' || indication, ''), course_id
    from validated.radiotherapy
    union all
    select patient_id, 'Imaging', imaging_date, null,
        replace(modality, '_', ' ') || coalesce(' for ' || replace(purpose, '_', ' '), '')
            || coalesce(': ' || result, ''), null
    from validated.imaging
    union all
    select patient_id, 'Care', event_date, null, replace(event_type, '_', ' '), null
    from validated.care_events
    union all
    select patient_id, 'Procedures', procedure_date, null, replace(procedure, '_', ' '), null
    from validated.procedures
    union all
    select patient_id, 'Decisions', decision_date, null,
        replace(treatment, '_', ' ') || ': ' || replace(decision, '_', ' '), null
    from validated.treatment_decisions
    union all
    select patient_id, 'Death', date_of_death, null, 'died', null
    from validated.patients where date_of_death is not null
)

-- Unordered: the review pack sorts each patient's events itself. (Sorting every event of a
-- million patients here as well ran out of DuckDB's 2 GB at 1,000,000 patients.)
select e.patient_id, e.lane, e.start_date, e.end_date, e.label, e.ref
from events e
    join patients using (patient_id)
where e.start_date is not null
