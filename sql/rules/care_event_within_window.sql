-- Shared by the care-process recommendations (1.2.1, 1.2.3, 1.2.4, 1.4.1a, 1.4.1b, QS12-5, QS12-6):
-- a documented care event of type $care_event in index + $window_start_days .. index + $window_end_days.
-- Unit: patient. A patient who died before the window closed without the event is excluded.
with patients as (
    select * from timeline.patient_timeline
),

events_in_window as (
    select c.patient_id, min(c.event_date) as first_event_date, count(*) as events
    from validated.care_events c
        join patients p using (patient_id)
    where c.event_type = $care_event
      and c.event_date between p.index_date + $window_start_days and p.index_date + $window_end_days
    group by c.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when e.patient_id is null
            then died_before_window_closed(p.date_of_death, p.index_date + $window_end_days) end as exclusion_reason,
        null as population_unknown_reason,
        e.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        replace($care_event, '_', ' ') || ' on ' || strftime(e.first_event_date, '%Y-%m-%d') as adherent_reason,
        'no ' || replace($care_event, '_', ' ') || ' recorded '
            || case
                when $window_start_days <= -3650 then 'on or before index + ' || $window_end_days || ' days'
                else 'from index - ' || abs($window_start_days) || ' to + ' || $window_end_days || ' days'
            end as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        p.index_date + $window_end_days as window_end,
        {
            'care_event': $care_event,
            'window_start': p.index_date + $window_start_days,
            'window_end': p.index_date + $window_end_days,
            'first_event_date': e.first_event_date,
            'events_in_window': coalesce(e.events, 0)
        } as evidence
    from patients p
        left join events_in_window e using (patient_id)
)

select * from final
