-- CG81 1.3.8: on disease progression, offer systemic sequential therapy (one chemotherapy drug at
-- a time) to the majority of patients who have decided to be treated with chemotherapy.
-- Unit: patient, judged on the first palliative chemotherapy line (same-day regimens grouped, so
-- gemcitabine and paclitaxel recorded as two regimens started one day are a combination) starting
-- on or after a progression event. No window: the line given decides, deaths do not exclude.
with first_line_after_progression as (
    select l.patient_id, arg_min(l, (l.start_date, l.regimen_id)) as line
    from timeline.lines_of_therapy l
    where l.has_chemotherapy
      and exists (
          select 1 from timeline.progression_events e
          where e.patient_id = l.patient_id and e.event_date <= l.start_date)
    group by l.patient_id
),

-- the latest progression on or before that line's start: the one the line answers
with_progression as (
    select f.patient_id, f.line, max(e.event_date) as progression_date
    from first_line_after_progression f
        join timeline.progression_events e on e.patient_id = f.patient_id and e.event_date <= f.line.start_date
    group by f.patient_id, f.line
),

described as (
    select
        f.*,
        'the first chemotherapy line after progression (' || strftime(f.progression_date, '%Y-%m-%d')
            || '), started ' || strftime(f.line.start_date, '%Y-%m-%d')
            || ' (' || array_to_string(f.line.drugs, ', ') || ')' as line_text
    from with_progression f
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case
            when d.line.chemotherapy_drug_count > 1 then false
            when array_length(d.line.unrecognised_drug_names) = 0 then true
        end as numerator_met,
        'unrecognised_drug_names: ' || d.line_text || ' also has unrecognised drug names ('
            || array_to_string(d.line.unrecognised_drug_names, ', ') || '): a single chemotherapy drug cannot be confirmed'
            as numerator_unknown_reason,
        'single_agent: ' || d.line_text || ' has one chemotherapy drug (' || array_to_string(d.line.chemotherapy_drugs, '')
            || ')' as adherent_reason,
        'combination_chemotherapy: ' || d.line_text || ' combines ' || d.line.chemotherapy_drug_count
            || ' chemotherapy drugs (' || array_to_string(d.line.chemotherapy_drugs, ' + ')
            || ') instead of one at a time' as non_adherent_reason,
        {
            'regimen_id': d.line.regimen_id,
            'regimen_ids': d.line.regimen_ids,
            'start_date': d.line.start_date,
            'progression_date': d.progression_date,
            'line_number': d.line.line_number,
            'chemotherapy_drugs': d.line.chemotherapy_drugs,
            'all_drugs': d.line.drugs
        } as evidence
    from described d
        join timeline.patient_cohort p using (patient_id)
)

select * from final
