-- CG81 1.5.19: offer whole brain radiotherapy to patients for whom surgery is not appropriate,
-- unless they have a very poor prognosis. Unit: patient, from the first CNS event, which sets the
-- reporting period, the window and the exception window. Surgery is not appropriate when the
-- event records a 1.5.18 criterion as not met, or a surgery decision (declined, contraindicated,
-- not suitable) is dated from the event - $exception_days_before_event to + $radiotherapy_within_days
-- days; with no criterion recorded as not met, not all recorded as met and no decision, surgical
-- suitability is not known (insufficient_data). Very poor prognosis excludes: death within
-- $poor_prognosis_death_within_days days first, then performance status $poor_prognosis_performance_status
-- or more; performance status not recorded leaves it unknown. Stereotactic or partial-brain
-- radiotherapy is not whole brain radiotherapy unless $accepted_alternatives lists
-- stereotactic_radiotherapy (NG99); given instead, it decides the unit before any later death.
with cns_patients as (
    select t.patient_id, t.index_date, t.provider_code, t.date_of_death, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
),

-- the first surgery decision around the event: it says surgery is not appropriate
surgery_decisions as (
    select c.patient_id,
        arg_min(brain_decision_text('surgery', d.decision, d.decision_date), (d.decision_date, d.decision))
            as surgery_decision
    from cns_patients c
        join timeline.treatment_decisions d using (patient_id)
    where d.treatment = 'surgery'
      and d.decision in ('declined_by_patient', 'contraindicated', 'not_suitable')
      and d.decision_date between c.cns_event_date - $exception_days_before_event
                              and c.cns_event_date + $radiotherapy_within_days
    group by c.patient_id
),

-- everyone with brain metastases except those whose event records every 1.5.18 criterion as met
-- and who have no surgery decision (1.5.18 audits them)
candidates as (
    select c.*, s.surgery_decision
    from cns_patients c
        left join surgery_decisions s using (patient_id)
    where not c.meets_surgical_criteria or s.surgery_decision is not null
),

-- the 1.5.18 criteria in words: recorded as not met, recorded as met, not recorded
criteria_text as (
    select
        *,
        list_filter([
            case when not count_criterion_met then brain_metastasis_count || ' brain metastases' end,
            case when not resectable_criterion_met then 'metastases not resectable' end,
            case when not performance_criterion_met then 'performance status ' || performance_status_at_cns_event end,
            case when not extracranial_criterion_met then 'disease outside the brain not controlled' end,
            surgery_decision
        ], lambda x: x is not null) as surgery_not_appropriate_because,
        list_filter([
            case when count_criterion_met then brain_metastasis_count
                || case when brain_metastasis_count = 1 then ' brain metastasis' else ' brain metastases' end end,
            case when resectable_criterion_met then 'resectable metastases' end,
            case when performance_criterion_met then 'performance status ' || performance_status_at_cns_event end,
            case when extracranial_criterion_met then 'controlled disease outside the brain' end
        ], lambda x: x is not null) as recorded_as_met,
        list_filter([
            case when count_criterion_met is null then 'the number of brain metastases'
                || case when brain_metastasis_count = 0 then ' (0 recorded)' else '' end end,
            case when resectable_criterion_met is null then 'whether the metastases can be resected' end,
            case when performance_criterion_met is null then 'performance status' end,
            case when extracranial_criterion_met is null then 'whether disease outside the brain is controlled' end
        ], lambda x: x is not null) as not_recorded
    from candidates
),

assessed as (
    select
        *,
        coalesce(first_whole_brain_radiotherapy_date <= cns_event_date + $radiotherapy_within_days, false)
            as whole_brain_in_window,
        coalesce(first_partial_brain_radiotherapy_date <= cns_event_date + $radiotherapy_within_days, false)
            as partial_in_window,
        list_contains($accepted_alternatives::varchar[], 'stereotactic_radiotherapy') as alternative_accepted,
        case when performance_status_date = cns_event_date
            then 'at the first brain metastasis event (' || strftime(cns_event_date, '%Y-%m-%d') || ')'
            else 'recorded on ' || strftime(performance_status_date, '%Y-%m-%d') || ', '
                 || brain_event_relative_text(performance_status_date, cns_event_date)
        end as performance_status_when,
        'surgery not appropriate: ' || text_list(surgery_not_appropriate_because, 'and') as surgery_text
    from criteria_text
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        cns_event_date as unit_date,
        provider_code,
        -- very poor prognosis (measures.md v2): death within N days excludes first, then a poor
        -- performance status; both whether or not radiotherapy was given (exclusions come first)
        case
            when date_of_death <= cns_event_date + $poor_prognosis_death_within_days
                then 'very_poor_prognosis_early_death: died on ' || strftime(date_of_death, '%Y-%m-%d') || ', '
                     || brain_event_relative_text(date_of_death, cns_event_date) || ': very poor prognosis'
            when performance_status_at_cns_event >= $poor_prognosis_performance_status
                then 'very_poor_prognosis_performance_status: performance status ' || performance_status_at_cns_event
                     || ' ' || performance_status_when || ': very poor prognosis'
        end as exclusion_reason,
        case
            when array_length(surgery_not_appropriate_because) = 0
                then 'surgical_suitability_not_recorded: surgical suitability not recorded: the first brain '
                     || 'metastasis event (' || strftime(cns_event_date, '%Y-%m-%d') || ') '
                     || case when array_length(recorded_as_met) = 0 then 'does not record ' || text_list(not_recorded, 'or')
                        else 'records ' || text_list(recorded_as_met, 'and') || ' but not '
                             || text_list(not_recorded, 'or') end
                     || ', and no surgery decision is recorded'
            when performance_status_at_cns_event is null
                then 'performance_status_not_recorded: performance status not recorded at the first brain '
                     || 'metastasis event (' || strftime(cns_event_date, '%Y-%m-%d') || ') or on any disease '
                     || 'event within ' || performance_status_days_around_event
                     || ' days of it, so a very poor prognosis (performance '
                     || 'status ' || $poor_prognosis_performance_status || ' or more) cannot be ruled out'
        end as population_unknown_reason,
        whole_brain_in_window or (alternative_accepted and partial_in_window) as numerator_met,
        case when whole_brain_in_window
            then 'whole_brain_radiotherapy: whole brain radiotherapy started '
                 || strftime(first_whole_brain_radiotherapy_date, '%Y-%m-%d') || ', '
                 || brain_event_relative_text(first_whole_brain_radiotherapy_date, cns_event_date)
            else 'accepted_alternative_radiotherapy: ' || first_partial_brain_radiotherapy_name || ' started '
                 || strftime(first_partial_brain_radiotherapy_date, '%Y-%m-%d') || ', '
                 || brain_event_relative_text(first_partial_brain_radiotherapy_date, cns_event_date)
                 || ', accepted as an alternative to whole brain radiotherapy by the audit''s configuration'
        end as adherent_reason,
        case when partial_in_window
            then 'stereotactic_radiotherapy_not_whole_brain: ' || first_partial_brain_radiotherapy_name || ' on '
                 || strftime(first_partial_brain_radiotherapy_date, '%Y-%m-%d') || ', '
                 || brain_event_relative_text(first_partial_brain_radiotherapy_date, cns_event_date)
                 || ' (not whole brain radiotherapy; accepted as an alternative only when the audit''s '
                 || 'configuration says so); ' || surgery_text
            else 'no_whole_brain_radiotherapy_in_window: no whole brain radiotherapy '
                 || brain_event_window_text(cns_event_date, $radiotherapy_within_days)
                 || coalesce('; whole brain radiotherapy started '
                     || strftime(first_whole_brain_radiotherapy_date, '%Y-%m-%d') || ', '
                     || datediff('day', cns_event_date, first_whole_brain_radiotherapy_date) || ' days after', '')
                 || '; ' || surgery_text
        end as non_adherent_reason,
        ['radiotherapy'] as exception_treatments,
        cns_event_date - $exception_days_before_event as exception_window_start,
        cns_event_date + $radiotherapy_within_days as exception_window_end,
        cns_event_date + $radiotherapy_within_days as window_end,
        -- stereotactic or partial-brain radiotherapy given instead of whole brain radiotherapy: the
        -- record already decided the unit, whatever a later death
        case when partial_in_window and not alternative_accepted then first_partial_brain_radiotherapy_date end
            as deviation_date,
        {
            'cns_event_date': cns_event_date,
            'brain_metastasis_count': brain_metastasis_count,
            'brain_metastases_resectable': brain_metastases_resectable,
            'extracranial_disease_controlled': extracranial_disease_controlled,
            'performance_status': performance_status_at_cns_event,
            'performance_status_date': performance_status_date,
            'surgery_decision': surgery_decision,
            'whole_brain_radiotherapy_date': first_whole_brain_radiotherapy_date,
            'stereotactic_or_partial_radiotherapy_date': first_partial_brain_radiotherapy_date
        } as evidence
    from assessed
)

select * from final
