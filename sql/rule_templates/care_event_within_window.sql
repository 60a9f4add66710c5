-- Shared by the care-process recommendations (1.2.1, 1.2.3, 1.2.4, 1.4.1a, 1.4.1b, QS12-5, QS12-6):
-- a documented care event of type $care_event in index + $window_start_days .. index + $window_end_days.
-- Unit: patient. A death before the window's last day without the event is judged once, in
-- resolve_outcomes.sql, from window_end.
with patients as (
    select * from timeline.patient_timeline
),

-- a window starting 10 years or more before the diagnosis has no lower bound (1.4.1b, QS12-6:
-- a key worker assigned at any time before); its start is no date a clinician should see
window_bounds as (
    select
        patient_id,
        case when $window_start_days > -3650 then index_date + $window_start_days end as window_start,
        index_date + $window_end_days as window_end
    from patients
),

events_in_window as (
    select c.patient_id, min(c.care_date) as first_event_date, count(*) as events
    from timeline.care_records c
        join window_bounds w using (patient_id)
    where c.source = 'care_event' and c.care = $care_event
      and c.care_date between coalesce(w.window_start, c.care_date) and w.window_end
    group by c.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        e.patient_id is not null as numerator_met,
        'care_event_in_window: ' || upper(left(c.description, 1)) || substr(c.description, 2) || ' recorded on '
            || strftime(e.first_event_date, '%Y-%m-%d') as adherent_reason,
        'no_care_event_in_window: no ' || c.description || ' recorded '
            || index_window_text(p.index_date, $window_start_days, $window_end_days) as non_adherent_reason,
        w.window_end,
        {
            'care_event': $care_event,
            'window_start': w.window_start,
            'window_end': w.window_end,
            'first_event_date': e.first_event_date,
            'events_in_window': coalesce(e.events, 0)
        } as evidence
    from patients p
        join window_bounds w using (patient_id)
        left join events_in_window e using (patient_id)
        -- the event as a clinician would write it in the notes
        cross join (select case $care_event
            when 'information_preference_assessed' then 'assessment of the patient''s preferences for information'
            when 'decision_involvement_assessed'
                then 'assessment of how much the patient wishes to be involved in decisions'
            when 'decision_aid_offered' then 'offer of a decision aid'
            when 'holistic_needs_assessment' then 'holistic needs assessment'
            when 'key_worker_assigned' then 'key worker assignment'
            when 'mdt_discussion' then 'multidisciplinary team (MDT) discussion'
            else replace($care_event, '_', ' ')
        end as description) c
)

select * from final
