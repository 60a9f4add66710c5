-- CG81 1.5.18: offer surgery followed by whole brain radiotherapy to patients with 1-3 potentially
-- resectable brain metastases, good performance status and no or controlled other metastatic
-- disease. Unit: patient (first CNS event); windows and deaths count from that event.
with candidates as (
    select t.*, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
    where b.meets_surgical_criteria
),

assessed as (
    select
        *,
        first_resection_date <= cns_event_date + $resection_within_days as resected_in_window,
        first_whole_brain_radiotherapy_after_resection_date <= first_resection_date + $radiotherapy_after_resection_within_days
            as radiotherapy_after_resection_in_window
    from candidates
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        case when not coalesce(radiotherapy_after_resection_in_window, false) then
            died_before_window_closed(date_of_death, case when resected_in_window
                then first_resection_date + $radiotherapy_after_resection_within_days
                else cns_event_date + $resection_within_days end)
        end as exclusion_reason,
        null as population_unknown_reason,
        coalesce(resected_in_window and radiotherapy_after_resection_in_window, false) as numerator_met,
        null as numerator_unknown_reason,
        'resection on ' || strftime(first_resection_date, '%Y-%m-%d') || ', whole brain radiotherapy on '
            || strftime(first_whole_brain_radiotherapy_after_resection_date, '%Y-%m-%d') as adherent_reason,
        case when coalesce(resected_in_window, false)
            then 'resection on ' || strftime(first_resection_date, '%Y-%m-%d')
                 || ' but no whole brain radiotherapy within ' || $radiotherapy_after_resection_within_days || ' days after it'
            else 'no brain metastasis resection within ' || $resection_within_days || ' days of the CNS event on '
                 || strftime(cns_event_date, '%Y-%m-%d')
        end as non_adherent_reason,
        -- a surgery decision explains no surgery; after surgery, a radiotherapy decision explains no radiotherapy
        case when coalesce(resected_in_window, false) then ['radiotherapy'] else ['surgery'] end as exception_treatments,
        case when coalesce(resected_in_window, false)
            then first_resection_date + $radiotherapy_after_resection_within_days
            else cns_event_date + $resection_within_days end as exception_window_end,
            case when resected_in_window
            then first_resection_date + $radiotherapy_after_resection_within_days
            else cns_event_date + $resection_within_days end as window_end,
        {
            'cns_event_date': cns_event_date,
            'brain_metastasis_count': brain_metastasis_count,
            'performance_status': performance_status_at_cns_event,
            'first_resection_date': first_resection_date,
            'whole_brain_radiotherapy_date': first_whole_brain_radiotherapy_after_resection_date
        } as evidence
    from assessed
)

select * from final
