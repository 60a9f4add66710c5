-- CG81 1.3.3: for ER-positive patients treated with chemotherapy first line, offer endocrine
-- therapy following the completion of chemotherapy. Unit: patient whose first line (the
-- same-day-grouped line, so an endocrine regimen recorded apart but started the day the
-- chemotherapy started makes a chemotherapy + endocrine first line, outside the population)
-- contained chemotherapy and no endocrine drug and ended with end_reason completed.
-- The rule is anchored on the end of that line: its window, deaths and decisions count from it.
-- A death within N days of the end excludes first, whatever the numerator (measures.md lists
-- "excluded: died within 90 days of the end"; eCQM precedence: exclusions before the numerator).
with patients as (
    select
        *,
        'first-line chemotherapy (' || array_to_string(first_line_drugs, ', ') || ') given from '
            || strftime(first_line_start_date, '%Y-%m-%d') || ' to ' || strftime(first_line_end_date, '%Y-%m-%d')
            as chemotherapy_text
    from timeline.patient_timeline
    where er_status in ('positive', 'unknown')
      and first_line_has_chemotherapy
      and not first_line_has_endocrine
      and first_line_end_reason = 'completed'
      and first_line_end_date is not null
),

endocrine_follow_on as (
    -- a later endocrine line (any line after the first starts after it) running at the
    -- chemotherapy's end or starting within N days of it: maintenance started during the
    -- chemotherapy counts
    select
        p.patient_id,
        arg_min(l, (l.start_date, l.regimen_id)) as line
    from patients p
        join timeline.lines_of_therapy l using (patient_id)
    where l.has_endocrine
      and l.line_number > 1
      and l.start_date <= p.first_line_end_date + $endocrine_within_days
      and (l.end_date is null or l.end_date >= p.first_line_end_date)
    group by p.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        -- inclusive: a death on the 90th day after the end is "within 90 days of the end"
        case when p.date_of_death <= p.first_line_end_date + $endocrine_within_days
            then 'died_soon_after_chemotherapy: died on ' || strftime(p.date_of_death, '%Y-%m-%d') || ', within '
                 || $endocrine_within_days || ' days after the end of ' || p.chemotherapy_text
        end as exclusion_reason,
        case when p.er_status = 'unknown' then er_status_unknown_reason(p.index_date) end as population_unknown_reason,
        f.patient_id is not null as numerator_met,
        'endocrine_after_chemotherapy: endocrine therapy ' || started_with_drugs_text(f.line.start_date, f.line.drugs)
            || case when f.line.start_date < p.first_line_end_date then ', during' else ', after' end
            || ' ' || p.chemotherapy_text as adherent_reason,
        'no_endocrine_after_chemotherapy: no endocrine therapy running at the end of, or started within '
            || $endocrine_within_days || ' days after, ' || p.chemotherapy_text as non_adherent_reason,
        ['endocrine_therapy'] as exception_treatments,
        -- anchored on the end of the chemotherapy (measures.md "Window anchors": a regimen end)
        p.first_line_end_date - $exception_days_before_end as exception_window_start,
        p.first_line_end_date + $endocrine_within_days as exception_window_end,
        p.first_line_end_date + $endocrine_within_days as window_end,
        {
            'first_line_regimen_id': p.first_line_regimen_id,
            'first_line_drugs': p.first_line_drugs,
            'first_line_start_date': p.first_line_start_date,
            'first_line_end_date': p.first_line_end_date,
            'endocrine_regimen_id': f.line.regimen_id,
            'endocrine_start_date': f.line.start_date,
            'endocrine_drugs': f.line.drugs
        } as evidence
    from patients p
        left join endocrine_follow_on f using (patient_id)
)

select * from final
