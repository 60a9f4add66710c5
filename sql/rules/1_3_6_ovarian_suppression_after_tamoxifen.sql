-- CG81 1.3.6: offer ovarian suppression to pre- and perimenopausal women previously treated with
-- tamoxifen whose disease then progresses. Unit: event - the index recurrence after prior
-- (adjuvant) tamoxifen (unit `index`), or a progression event after a palliative tamoxifen line began.
with women as (
    select *
    from timeline.patient_timeline
    where er_status in ('positive', 'unknown')
      and sex in ('female', 'unknown')
      and coalesce(menopausal_status_at_index, 'unknown') not in ('post', 'not_applicable')
),

recurrence_after_tamoxifen as (
    select w.patient_id, 'index' as unit_id, w.index_date as event_date,
        'metastatic recurrence after prior tamoxifen (' || array_to_string(w.prior_endocrine_drugs, ', ') || ')'
            as progression_after
    from women w
    where w.has_prior_tamoxifen
),

progression_on_tamoxifen as (
    select p.patient_id, p.event_id as unit_id, p.event_date,
        'progression on or after palliative tamoxifen (regimen '
            || arg_min(l.regimen_id, (l.start_date, l.regimen_id)) || ')' as progression_after
    from timeline.progression_events p
        join women w using (patient_id)
        join timeline.lines_of_therapy l using (patient_id)
    -- strictly before: tamoxifen started on the day of a progression treats it, it was not on it
    where l.has_tamoxifen and l.start_date < p.event_date
    group by p.patient_id, p.event_id, p.event_date
),

events as (
    select * from recurrence_after_tamoxifen
    union all
    select * from progression_on_tamoxifen
),

-- ovarian suppression started within the window, or started earlier and still in place at the event
suppression as (
    select
        e.patient_id,
        e.unit_id,
        arg_min(o.detail || ' from ' || strftime(o.start_date, '%Y-%m-%d'), (o.start_date, o.detail)) as first_suppression
    from events e
        join timeline.ovarian_suppression o using (patient_id)
    where o.start_date <= e.event_date + $ovarian_suppression_within_days
      and (o.end_date is null or o.end_date >= e.event_date)
    group by e.patient_id, e.unit_id
),

final as (
    select
        e.patient_id,
        e.unit_id,
        e.event_date as unit_date,
        w.provider_code,
        case when s.first_suppression is null
            then died_before_window_closed(w.date_of_death, e.event_date + $ovarian_suppression_within_days)
        end as exclusion_reason,
        case
            when w.sex = 'unknown' then 'sex unknown'
            when w.er_status = 'unknown' then 'er_status at index unknown'
            when w.menopausal_status_at_index is null or w.menopausal_status_at_index = 'unknown'
                then 'menopausal_status at index unknown'
        end as population_unknown_reason,
        s.first_suppression is not null as numerator_met,
        null as numerator_unknown_reason,
        'ovarian suppression (' || s.first_suppression || ') after ' || e.progression_after || ' on '
            || strftime(e.event_date, '%Y-%m-%d') as adherent_reason,
        'no ovarian suppression within ' || $ovarian_suppression_within_days || ' days after '
            || e.progression_after || ' on ' || strftime(e.event_date, '%Y-%m-%d') as non_adherent_reason,
        ['ovarian_suppression'] as exception_treatments,
        e.event_date + $ovarian_suppression_within_days as exception_window_end,
        e.event_date + $ovarian_suppression_within_days as window_end,
        {
            'event_date': e.event_date,
            'progression_after': e.progression_after,
            'menopausal_status_at_index': w.menopausal_status_at_index,
            'er_status': w.er_status,
            'ovarian_suppression': s.first_suppression
        } as evidence
    from events e
        join women w using (patient_id)
        left join suppression s using (patient_id, unit_id)
)

select * from final
