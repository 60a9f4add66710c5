-- Shared by the complication recommendations 1.5.8-1.5.13 and 1.5.17: after the first $trigger
-- (timeline.clinical_triggers), a care event of $care_events or a procedure of $procedures in
-- trigger + $window_start_days .. trigger + $window_end_days. Unit: patient. The window and deaths
-- count from the trigger; a patient who died before the window closed without care is excluded.
with triggered as (
    select p.*, t.trigger_date
    from timeline.patient_timeline p
        join timeline.clinical_triggers t using (patient_id)
    where t.trigger = $trigger
),

care as (
    select patient_id, event_date as care_date, event_type as care from validated.care_events
    where list_contains($care_events, event_type)
    union all
    select patient_id, procedure_date, procedure from validated.procedures
    where list_contains($procedures, procedure)
),

care_in_window as (
    select t.patient_id, min(c.care_date) as first_care_date, arg_min(c.care, (c.care_date, c.care)) as first_care
    from triggered t
        join care c using (patient_id)
    where c.care_date between t.trigger_date + $window_start_days and t.trigger_date + $window_end_days
    group by t.patient_id
),

final as (
    select
        t.patient_id,
        t.patient_id as unit_id,
        t.index_date as unit_date,
        t.provider_code,
        case when w.patient_id is null
            then died_before_window_closed(t.date_of_death, t.trigger_date + $window_end_days) end as exclusion_reason,
        null as population_unknown_reason,
        w.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        replace(w.first_care, '_', ' ') || ' on ' || strftime(w.first_care_date, '%Y-%m-%d') as adherent_reason,
        'no ' || array_to_string(list_transform($care_events || $procedures, lambda c: replace(c, '_', ' ')), ' or ')
            || ' from ' || strftime(t.trigger_date + $window_start_days, '%Y-%m-%d')
            || ' to ' || strftime(t.trigger_date + $window_end_days, '%Y-%m-%d') as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        t.trigger_date + $window_end_days as window_end,
        {
            'trigger': $trigger,
            'trigger_date': t.trigger_date,
            'first_care': w.first_care,
            'first_care_date': w.first_care_date
        } as evidence
    from triggered t
        left join care_in_window w using (patient_id)
)

select * from final
