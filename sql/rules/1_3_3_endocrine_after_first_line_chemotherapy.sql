-- CG81 1.3.3: for ER-positive patients treated with chemotherapy first line, offer endocrine
-- therapy following the completion of chemotherapy. Unit: patient whose first line contained
-- chemotherapy and no endocrine drug and ended with end_reason completed. Deaths within N days
-- of its end exclude first, whatever the numerator (measures.md "excluded: died within 90 days of
-- the end"; eCQM precedence: exclusions before the numerator).
with patients as (
    select t.*
    from timeline.patient_timeline t
    where t.er_status in ('positive', 'unknown')
      and t.first_line_has_chemotherapy
      and not t.first_line_has_endocrine
      and t.first_line_end_reason = 'completed'
      and t.first_line_end_date is not null
      -- an endocrine regimen recorded separately but started the day the chemotherapy started makes
      -- a chemotherapy + endocrine first line (lines are regimens, so the pair is two lines here):
      -- not a first line without endocrine therapy, so outside the population
      and not exists (
          select 1 from timeline.regimens r
          where r.patient_id = t.patient_id and r.has_endocrine and r.start_date = t.first_line_start_date)
),

endocrine_follow_on as (
    -- an endocrine regimen started after the chemotherapy began (same-day starts are outside the
    -- population above) and running at its end or starting within N days of it (maintenance
    -- started during chemotherapy counts)
    select p.patient_id, min(r.start_date) as endocrine_start_date, arg_min(r.regimen_id, (r.start_date, r.regimen_id)) as regimen_id
    from patients p
        join timeline.regimens r using (patient_id)
    where r.has_endocrine
      and r.start_date > p.first_line_start_date
      and r.start_date <= p.first_line_end_date + $endocrine_within_days
      and (r.end_date is null or r.end_date >= p.first_line_end_date)
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
            then 'clinical_exclusion: died on ' || strftime(p.date_of_death, '%Y-%m-%d') || ', within '
                 || $endocrine_within_days || ' days of the end of first-line chemotherapy' end as exclusion_reason,
        case when p.er_status = 'unknown' then 'er_status at index unknown' end as population_unknown_reason,
        f.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        'endocrine regimen ' || f.regimen_id || ' from ' || strftime(f.endocrine_start_date, '%Y-%m-%d')
            || ' after first-line chemotherapy ended ' || strftime(p.first_line_end_date, '%Y-%m-%d') as adherent_reason,
        'no endocrine therapy within ' || $endocrine_within_days || ' days after first-line chemotherapy ended '
            || strftime(p.first_line_end_date, '%Y-%m-%d') as non_adherent_reason,
        ['endocrine_therapy'] as exception_treatments,
        p.first_line_end_date + $endocrine_within_days as exception_window_end,
        p.first_line_end_date + $endocrine_within_days as window_end,
        {
            'first_line_regimen_id': p.first_line_regimen_id,
            'first_line_drugs': p.first_line_drugs,
            'first_line_end_date': p.first_line_end_date,
            'endocrine_regimen_id': f.regimen_id,
            'endocrine_start_date': f.endocrine_start_date
        } as evidence
    from patients p
        left join endocrine_follow_on f using (patient_id)
)

select * from final
