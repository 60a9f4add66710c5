-- Shared by CG81 1.3.12a and 1.3.12b: for patients receiving trastuzumab, discontinue it at
-- progression outside the CNS ($progression_site = 'outside_cns'); do not discontinue it when
-- progression is within the CNS alone ('cns_only'). Unit: progression event while trastuzumab is
-- active (started on or before the event, not ended before it).
with trastuzumab as (
    select patient_id, start_date, end_date from timeline.drug_exposures where drug_class = 'trastuzumab'
),

events_on_trastuzumab as (
    select
        e.*,
        p.provider_code,
        p.date_of_death,
        -- the active exposure that runs longest decides whether trastuzumab went on
        max(coalesce(t.end_date, date '9999-12-31')) as active_until
    from timeline.progression_events e
        join timeline.patient_cohort p using (patient_id)
        join trastuzumab t
            on t.patient_id = e.patient_id and t.start_date <= e.event_date
           and (t.end_date is null or t.end_date >= e.event_date)
    where e.progression_site in ($progression_site, 'unknown')
    group by all
),

restarts as (
    select e.patient_id, e.event_id, min(t.start_date) as restart_date
    from events_on_trastuzumab e
        join trastuzumab t
            on t.patient_id = e.patient_id and t.start_date > e.event_date
           and t.start_date <= e.event_date + $restart_within_days
    group by all
),

judged as (
    select
        e.*,
        r.restart_date,
        e.active_until > e.event_date + $continue_beyond_days or r.restart_date is not null as trastuzumab_continued
    from events_on_trastuzumab e
        left join restarts r using (patient_id, event_id)
),

final as (
    select
        patient_id,
        event_id as unit_id,
        event_date as unit_date,
        provider_code,
        case when trastuzumab_continued <> $expect_continued
            then died_before_window_closed(date_of_death, event_date + $continue_beyond_days) end as exclusion_reason,
        case when progression_site = 'unknown' then 'progression sites not recorded (CNS or not unknown)' end
            as population_unknown_reason,
        trastuzumab_continued = $expect_continued as numerator_met,
        null as numerator_unknown_reason,
        case when trastuzumab_continued then 'trastuzumab continued after progression'
            else 'trastuzumab stopped within ' || $continue_beyond_days || ' days of progression' end as adherent_reason,
        case when trastuzumab_continued then 'trastuzumab continued after progression outside the CNS'
            else 'trastuzumab stopped after progression in the CNS alone' end as non_adherent_reason,
        -- "do not discontinue" (b) expects trastuzumab: a trastuzumab decision (declined,
        -- contraindicated, e.g. cardiac toxicity) excepts the event; stopping it (a) expects no treatment
        case when $expect_continued then ['trastuzumab'] else [] end::varchar[] as exception_treatments,
        case when $expect_continued then event_date + greatest($continue_beyond_days, $restart_within_days) end
            as exception_window_end,
        event_date + greatest($continue_beyond_days, $restart_within_days) as window_end,
        {
            'progression_date': event_date,
            'progression_sites': sites,
            'trastuzumab_active_until': nullif(active_until, date '9999-12-31'),
            'trastuzumab_restart_date': restart_date
        } as evidence
    from judged
)

select * from final
