-- CG81 1.3.6: offer ovarian suppression to pre- and perimenopausal women previously treated with
-- tamoxifen whose disease then progresses. Unit: event - the index recurrence after prior
-- (adjuvant) tamoxifen (unit `index`), or a progression event after a palliative tamoxifen line
-- began. Event-anchored (measures.md "Window anchors"): the window, deaths (judged by the shared
-- rule from window_end) and decisions count from the event, and the event sets the reporting period.
with women as (
    select *
    from timeline.patient_timeline
    where er_status in ('positive', 'unknown')
      and sex in ('female', 'unknown')
      and coalesce(menopausal_status_at_index, 'unknown') not in ('post', 'not_applicable')
),

prior_tamoxifen as (
    select e.patient_id, min(e.start_date) as first_tamoxifen_date
    from timeline.drug_exposures e
        join women w using (patient_id)
    where e.drug_class = 'tamoxifen' and e.start_date < w.index_date
    group by e.patient_id
),

-- the recurrence itself, after tamoxifen before it; with a partial treatment history a recurrence
-- with no endocrine drug recorded before it may have followed adjuvant tamoxifen (unknown)
recurrence_after_tamoxifen as (
    select
        w.patient_id,
        'index' as unit_id,
        w.index_date as event_date,
        'the metastatic recurrence diagnosed ' || strftime(w.index_date, '%Y-%m-%d')
            || coalesce(', after tamoxifen first started ' || strftime(t.first_tamoxifen_date, '%Y-%m-%d'), '')
            as event_text
    from women w
        left join prior_tamoxifen t using (patient_id)
    where w.has_prior_tamoxifen or w.prior_endocrine_unknown
),

progression_on_tamoxifen as (
    select
        p.patient_id,
        p.event_id as unit_id,
        p.event_date,
        'the progression on ' || strftime(p.event_date, '%Y-%m-%d') || ', after palliative tamoxifen started '
            || strftime(min(l.start_date), '%Y-%m-%d') as event_text
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
        arg_min({'text': ovarian_suppression_text(o.source, o.detail, o.start_date),
                 'in_place': o.start_date <= e.event_date}, (o.start_date, o.detail)) as first_suppression
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
        case
            when w.sex = 'unknown' then sex_unknown_reason()
            when w.er_status = 'unknown' then er_status_unknown_reason(w.index_date)
            when w.menopausal_status_at_index is null or w.menopausal_status_at_index = 'unknown'
                then menopausal_status_unknown_reason(w.index_date)
            when e.unit_id = 'index' and w.prior_endocrine_unknown then prior_endocrine_unknown_reason(w.index_date)
        end as population_unknown_reason,
        s.first_suppression is not null as numerator_met,
        case when s.first_suppression.in_place
            then 'ovarian_suppression_in_place: ovarian suppression (' || s.first_suppression.text
                 || ') was in place at ' || e.event_text
            else 'ovarian_suppression_started: ovarian suppression (' || s.first_suppression.text
                 || ') started within ' || $ovarian_suppression_within_days || ' days after ' || e.event_text
        end as adherent_reason,
        'no_ovarian_suppression: no ovarian suppression (GnRH agonist, oophorectomy or ovarian ablation) in place '
            || 'at, or started within ' || $ovarian_suppression_within_days || ' days after, ' || e.event_text
            as non_adherent_reason,
        -- ovarian suppression is endocrine therapy: a decision about either excepts the event
        ['ovarian_suppression', 'endocrine_therapy'] as exception_treatments,
        e.event_date - $exception_days_before_event as exception_window_start,
        e.event_date + $ovarian_suppression_within_days as exception_window_end,
        e.event_date + $ovarian_suppression_within_days as window_end,
        {
            'event_date': e.event_date,
            'menopausal_status_at_index': w.menopausal_status_at_index,
            'er_status': w.er_status,
            'prior_endocrine_drugs': w.prior_endocrine_drugs,
            'prior_endocrine_unknown': w.prior_endocrine_unknown,
            'ovarian_suppression': s.first_suppression.text
        } as evidence
    from events e
        join women w using (patient_id)
        left join suppression s using (patient_id, unit_id)
)

select * from final
