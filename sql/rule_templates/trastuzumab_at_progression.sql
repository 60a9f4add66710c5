-- Shared by CG81 1.3.12a and 1.3.12b: for patients receiving trastuzumab, discontinue it at
-- progression outside the CNS ($progression_site = 'outside_cns'); do not discontinue it when
-- progression is within the CNS alone ('cns_only'). Unit: progression event while trastuzumab is
-- active (started on or before the event, not ended before it).
-- Deaths (measures.md v2) are judged by resolve_outcomes.sql from window_end (event + 90 days) and
-- deviation_date: 1.3.12a's "no restart within 90 days" is closed by death, so a stop with no
-- restart up to the death is adherent and a restart before the death non-adherent; trastuzumab
-- still running at day 42 is a deviation on day 42 (a death before it leaves the event undecided).
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
        nullif(e.active_until, date '9999-12-31') as recorded_end,
        -- an end on or after the date of death is the death, not a decision to stop
        coalesce(e.active_until >= e.date_of_death, false) as ran_until_death,
        e.event_date + $continue_beyond_days as stop_by,
        e.event_date + $restart_within_days as restart_window_end,
        f.follow_up_end,
        'progression ' || case progression_site when 'cns_only' then 'within the central nervous system alone'
                when 'outside_cns' then 'outside the central nervous system' else 'at unrecorded sites' end
            || ' on ' || strftime(e.event_date, '%Y-%m-%d')
            || case when array_length(e.sites) > 0 then ' (' || array_to_string(list_transform(e.sites, lambda s: replace(s, '_', ' ')), ', ') || ')'
                else '' end as progression_text
    from events_on_trastuzumab e
        cross join timeline.follow_up f
        left join restarts r using (patient_id, event_id)
),

decided as (
    select
        *,
        active_until <= stop_by and not ran_until_death as stopped_in_time,
        active_until > stop_by or ran_until_death or restart_date is not null as trastuzumab_continued,
        'trastuzumab ' || case
            when restart_date is not null and active_until <= stop_by and not ran_until_death
                then 'stopped on ' || strftime(recorded_end, '%Y-%m-%d') || ' and restarted on '
                     || strftime(restart_date, '%Y-%m-%d')
            when restart_date is not null then 'restarted on ' || strftime(restart_date, '%Y-%m-%d')
            when ran_until_death then 'given until the patient''s death on ' || strftime(date_of_death, '%Y-%m-%d')
            when recorded_end is null then 'still being given (no end recorded)'
            when active_until > stop_by then 'given until ' || strftime(recorded_end, '%Y-%m-%d')
            else 'stopped on ' || strftime(recorded_end, '%Y-%m-%d')
        end as trastuzumab_text
    from judged
),

final as (
    select
        patient_id,
        event_id as unit_id,
        event_date as unit_date,
        provider_code,
        case when progression_site = 'unknown'
            then 'progression_sites_unknown: ' || progression_text
                 || ' while on trastuzumab: whether it was within the central nervous system alone is not known'
        end as population_unknown_reason,
        case
            when $expect_continued then trastuzumab_continued
            when not stopped_in_time or restart_date is not null then false
            -- stopped with no restart: the 90 days must have run, or been closed by death
            when least(restart_window_end, date_of_death) > follow_up_end then null
            else true
        end as numerator_met,
        'restart_window_open: ' || trastuzumab_text || ' after ' || progression_text
            || '; the 90 days in which it must not be restarted end after the last date of the extract ('
            || strftime(follow_up_end, '%Y-%m-%d') || ')' as numerator_unknown_reason,
        case when $expect_continued
            then 'trastuzumab_continued: ' || trastuzumab_text || ' after ' || progression_text
                 || ': it was not discontinued (it must go on beyond ' || $continue_beyond_days
                 || ' days, or restart within ' || $restart_within_days || ' days)'
            else 'trastuzumab_stopped: ' || trastuzumab_text || ', within ' || $continue_beyond_days || ' days of '
                 || progression_text || ', and not restarted within ' || $restart_within_days || ' days'
                 || coalesce(' up to the patient''s death on ' || strftime(date_of_death, '%Y-%m-%d'), '')
        end as adherent_reason,
        case when $expect_continued
            then 'trastuzumab_discontinued: ' || trastuzumab_text || ' after ' || progression_text
                 || ', and not restarted within ' || $restart_within_days
                 || ' days: it should not be discontinued when the disease progresses within the central nervous system alone'
            else 'trastuzumab_continued: ' || trastuzumab_text || ' after ' || progression_text
                 || ': it should be discontinued (within ' || $continue_beyond_days || ' days, not restarted within '
                 || $restart_within_days || ' days)'
        end as non_adherent_reason,
        -- "do not discontinue" (b) expects trastuzumab: a trastuzumab decision (declined,
        -- contraindicated, e.g. cardiac toxicity) excepts the event; stopping it (a) expects no treatment
        case when $expect_continued then ['trastuzumab'] else [] end::varchar[] as exception_treatments,
        -- an event-anchored rule: decisions count from the progression - 30 days
        event_date - $exception_days_before_event as exception_window_start,
        case when $expect_continued then restart_window_end end as exception_window_end,
        restart_window_end as window_end,
        -- what the record already decided before any death: (a) a restart, or trastuzumab still
        -- running at day 42; (b) nothing before day 90 (a restart may still come)
        case when not $expect_continued then
            least(restart_date, case when not stopped_in_time then stop_by end)
        end as deviation_date,
        {
            'progression_date': event_date,
            'progression_sites': sites,
            'trastuzumab_active_until': recorded_end,
            'trastuzumab_restart_date': restart_date
        } as evidence
    from decided
)

select * from final
