-- Shared by the complication recommendations anchored on a clinical event (1.5.8-1.5.13, 1.5.17,
-- 1.5.20): after the first $trigger (timeline.clinical_triggers), a care event of $care_events or a
-- procedure of $procedures in event + $window_start_days .. event + $window_end_days. Unit: patient;
-- the event's date is the unit date, so the reporting period is the event's quarter (measures.md
-- "Reporting period"). The window and deaths count from the event ("Window anchors"): a death before
-- the window's last day without the care is judged once, in resolve_outcomes.sql, from window_end.
with triggered as (
    select
        p.patient_id,
        p.provider_code,
        t.trigger_date,
        t.trigger_date + $window_start_days as window_start,
        t.trigger_date + $window_end_days as window_end,
        complication_trigger_text($trigger, t.trigger_date, t.recorded_as) as trigger_text,
        t.recorded_as
    from timeline.patient_timeline p
        join timeline.clinical_triggers t using (patient_id)
    where t.trigger = $trigger
),

care as (
    select patient_id, care_date, care from timeline.care_records
    where (source = 'care_event' and list_contains($care_events, care))
       or (source = 'procedure' and list_contains($procedures, care))
),

-- the first care in the window (on the same day, the first by name, so the reason is stable)
care_in_window as (
    select t.patient_id, min(c.care_date) as first_care_date, arg_min(c.care, (c.care_date, c.care)) as first_care
    from triggered t
        join care c using (patient_id)
    where c.care_date between t.window_start and t.window_end
    group by t.patient_id
),

-- every kind of care that would meet the rule, named as in the notes: 'orthopaedic assessment or
-- prophylactic fixation'
expected_care as (
    select text_list(list_transform($care_events || $procedures, lambda c: complication_care_name(c)), 'or')
        as care_text
),

final as (
    select
        t.patient_id,
        t.patient_id as unit_id,
        t.trigger_date as unit_date,
        t.provider_code,
        w.patient_id is not null as numerator_met,
        'care_in_window: ' || upper(left(complication_care_name(w.first_care), 1)) || substr(complication_care_name(w.first_care), 2)
            || ' recorded on ' || strftime(w.first_care_date, '%Y-%m-%d') || ', '
            || complication_window_text($window_start_days, $window_end_days, t.trigger_text) as adherent_reason,
        'no_care_in_window: no ' || e.care_text || ' recorded '
            || complication_window_text($window_start_days, $window_end_days, t.trigger_text) as non_adherent_reason,
        t.window_end,
        {
            'trigger': $trigger,
            'trigger_date': t.trigger_date,
            'trigger_recorded_as': t.recorded_as,
            'window_start': t.window_start,
            'window_end': t.window_end,
            'first_care': w.first_care,
            'first_care_date': w.first_care_date
        } as evidence
    from triggered t
        cross join expected_care e
        left join care_in_window w using (patient_id)
)

select * from final
