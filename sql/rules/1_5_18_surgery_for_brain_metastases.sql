-- CG81 1.5.18: offer surgery followed by whole brain radiotherapy to patients with 1-3 potentially
-- resectable brain metastases, good performance status and no or controlled other metastatic
-- disease. Unit: patient whose first CNS event records every criterion as met (timeline.
-- brain_metastases); the event sets the reporting period, the windows and the exception window.
-- Adherent: a resection within $resection_within_days days of the event, then whole brain
-- radiotherapy within $radiotherapy_after_resection_within_days days after the surgery
-- (stereotactic or partial-brain radiotherapy to the cavity only when $accepted_alternatives
-- lists stereotactic_radiotherapy). Deaths are judged in resolve_outcomes.sql from window_end;
-- brain radiotherapy given with no resection in the window already decided the unit.
with candidates as (
    select t.patient_id, t.index_date, t.provider_code, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
    where b.meets_surgical_criteria
),

assessed as (
    select
        *,
        coalesce(first_resection_date <= cns_event_date + $resection_within_days, false) as resected_in_window,
        first_whole_brain_radiotherapy_after_resection_date
            <= first_resection_date + $radiotherapy_after_resection_within_days as whole_brain_after_resection,
        first_partial_brain_radiotherapy_after_resection_date
            <= first_resection_date + $radiotherapy_after_resection_within_days as partial_after_resection,
        list_contains($accepted_alternatives::varchar[], 'stereotactic_radiotherapy') as alternative_accepted
    from candidates
),

windowed as (
    select
        *,
        case when resected_in_window then first_resection_date + $radiotherapy_after_resection_within_days
            else cns_event_date + $resection_within_days end as window_closes,
        -- brain radiotherapy with no resection in the window: radiotherapy was chosen instead of
        -- surgery, which a later death does not undo
        case when not resected_in_window and first_brain_radiotherapy_date <= cns_event_date + $resection_within_days
            then first_brain_radiotherapy_date end as radiotherapy_instead_date,
        'brain metastasis resection on ' || strftime(first_resection_date, '%Y-%m-%d') || ', '
            || brain_event_relative_text(first_resection_date, cns_event_date) as resection_text,
        'whole brain radiotherapy started ' || strftime(first_whole_brain_radiotherapy_after_resection_date, '%Y-%m-%d')
            || ', ' || days_from_anchor_text(datediff('day', first_resection_date,
                                                      first_whole_brain_radiotherapy_after_resection_date))
            || ' the surgery' as whole_brain_after_text,
        first_partial_brain_radiotherapy_after_resection_name || ' started '
            || strftime(first_partial_brain_radiotherapy_after_resection_date, '%Y-%m-%d') || ', '
            || days_from_anchor_text(datediff('day', first_resection_date,
                                              first_partial_brain_radiotherapy_after_resection_date))
            || ' the surgery' as partial_after_text
    from assessed
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        cns_event_date as unit_date,
        provider_code,
        resected_in_window and (coalesce(whole_brain_after_resection, false)
            or (alternative_accepted and coalesce(partial_after_resection, false))) as numerator_met,
        case when coalesce(whole_brain_after_resection, false)
            then 'resection_then_whole_brain_radiotherapy: ' || resection_text || ', then ' || whole_brain_after_text
            else 'resection_then_accepted_alternative_radiotherapy: ' || resection_text || ', then '
                 || partial_after_text || ' (accepted as an alternative to whole brain radiotherapy by the '
                 || 'audit''s configuration)'
        end as adherent_reason,
        case
            when resected_in_window and coalesce(partial_after_resection, false)
                then 'stereotactic_radiotherapy_after_resection: ' || resection_text || ', then '
                     || first_partial_brain_radiotherapy_after_resection_name || ' on '
                     || strftime(first_partial_brain_radiotherapy_after_resection_date, '%Y-%m-%d')
                     || ' (not whole brain radiotherapy; accepted as an alternative only when the audit''s '
                     || 'configuration says so)'
            when resected_in_window
                then 'no_whole_brain_radiotherapy_after_resection: ' || resection_text
                     || ', but no whole brain radiotherapy within ' || $radiotherapy_after_resection_within_days
                     || ' days after the surgery' || coalesce(' (' || whole_brain_after_text || ')', '')
            when radiotherapy_instead_date is not null
                then 'radiotherapy_instead_of_resection: ' || first_brain_radiotherapy_name || ' started '
                     || strftime(first_brain_radiotherapy_date, '%Y-%m-%d') || ', '
                     || brain_event_relative_text(first_brain_radiotherapy_date, cns_event_date)
                     || ', instead of surgery: no brain metastasis resection within ' || $resection_within_days
                     || ' days'
            else 'no_resection_in_window: no brain metastasis resection '
                 || brain_event_window_text(cns_event_date, $resection_within_days)
                 || coalesce('; the resection was on ' || strftime(first_resection_date, '%Y-%m-%d') || ', '
                     || datediff('day', cns_event_date, first_resection_date) || ' days after', '')
        end as non_adherent_reason,
        -- a surgery decision explains no surgery; after surgery, a radiotherapy decision explains
        -- no radiotherapy
        case when resected_in_window then ['radiotherapy'] else ['surgery'] end as exception_treatments,
        cns_event_date - $exception_days_before_event as exception_window_start,
        window_closes as exception_window_end,
        window_closes as window_end,
        radiotherapy_instead_date as deviation_date,
        {
            'cns_event_date': cns_event_date,
            'brain_metastasis_count': brain_metastasis_count,
            'brain_metastases_resectable': brain_metastases_resectable,
            'extracranial_disease_controlled': extracranial_disease_controlled,
            'performance_status': performance_status_at_cns_event,
            'performance_status_date': performance_status_date,
            'first_resection_date': first_resection_date,
            'whole_brain_radiotherapy_after_resection_date': first_whole_brain_radiotherapy_after_resection_date,
            'stereotactic_or_partial_radiotherapy_after_resection_date':
                first_partial_brain_radiotherapy_after_resection_date,
            'first_brain_radiotherapy_date': first_brain_radiotherapy_date
        } as evidence
    from windowed
)

select * from final
