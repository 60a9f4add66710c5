-- CG81 1.5.19: offer whole brain radiotherapy to patients for whom surgery is not appropriate,
-- unless they have a very poor prognosis. Unit: patient (first CNS event) not meeting the 1.5.18
-- criteria, or meeting them with a surgery decision; windows and deaths count from the event.
with cns_patients as (
    select t.*, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
),

surgery_decisions as (
    select c.patient_id, arg_min(d.decision, (d.decision_date, d.decision)) as surgery_decision
    from cns_patients c
        join timeline.treatment_decisions d using (patient_id)
    where d.treatment = 'surgery'
      and d.decision in ('declined_by_patient', 'contraindicated', 'not_suitable')
      and d.decision_date <= c.cns_event_date + $radiotherapy_within_days
    group by c.patient_id
),

candidates as (
    select c.*, s.surgery_decision
    from cns_patients c
        left join surgery_decisions s using (patient_id)
    where not c.meets_surgical_criteria or s.surgery_decision is not null
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        case
            when performance_status_at_cns_event >= $poor_prognosis_performance_status
                then 'clinical_exclusion: very poor prognosis (performance status '
                     || performance_status_at_cns_event || ')'
            when date_of_death <= cns_event_date + $poor_prognosis_death_within_days
                then 'clinical_exclusion: very poor prognosis (died on ' || strftime(date_of_death, '%Y-%m-%d') || ')'
            when not coalesce(first_whole_brain_radiotherapy_date <= cns_event_date + $radiotherapy_within_days, false)
                then died_before_window_closed(date_of_death, cns_event_date + $radiotherapy_within_days)
        end as exclusion_reason,
        null as population_unknown_reason,
        coalesce(first_whole_brain_radiotherapy_date <= cns_event_date + $radiotherapy_within_days, false) as numerator_met,
        null as numerator_unknown_reason,
        'whole brain radiotherapy on ' || strftime(first_whole_brain_radiotherapy_date, '%Y-%m-%d') as adherent_reason,
        'no whole brain radiotherapy within ' || $radiotherapy_within_days || ' days of the CNS event on '
            || strftime(cns_event_date, '%Y-%m-%d') as non_adherent_reason,
        ['radiotherapy'] as exception_treatments,
        cns_event_date + $radiotherapy_within_days as exception_window_end,
        cns_event_date + $radiotherapy_within_days as window_end,
        {
            'cns_event_date': cns_event_date,
            'meets_surgical_criteria': meets_surgical_criteria,
            'surgery_decision': surgery_decision,
            'performance_status': performance_status_at_cns_event,
            'whole_brain_radiotherapy_date': first_whole_brain_radiotherapy_date
        } as evidence
    from candidates
)

select * from final
