-- CG81 1.3.8: on disease progression, offer systemic sequential therapy (one chemotherapy drug at
-- a time) to the majority of patients who have decided to be treated with chemotherapy.
-- Unit: patient, judged on the first palliative chemotherapy line starting on or after a
-- progression event.
with first_line_after_progression as (
    select l.patient_id, arg_min(l, (l.start_date, l.regimen_id)) as line
    from timeline.lines_of_therapy l
    where l.has_chemotherapy
      and exists (
          select 1 from timeline.progression_events e
          where e.patient_id = l.patient_id and e.event_date <= l.start_date)
    group by l.patient_id
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        null as exclusion_reason,
        null as population_unknown_reason,
        case
            when f.line.chemotherapy_drug_count > 1 then false
            when len(f.line.unrecognised_drug_names) = 0 then true
        end as numerator_met,
        'regimen ' || f.line.regimen_id || ' also has unrecognised drug names ('
            || array_to_string(f.line.unrecognised_drug_names, ', ') || '): single agent cannot be confirmed'
            as numerator_unknown_reason,
        'single-agent ' || array_to_string(f.line.chemotherapy_drugs, '') || ' (regimen ' || f.line.regimen_id || ')'
            as adherent_reason,
        'combination chemotherapy ' || array_to_string(f.line.chemotherapy_drugs, ' + ')
            || ' (regimen ' || f.line.regimen_id || ')' as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'regimen_id': f.line.regimen_id,
            'start_date': f.line.start_date,
            'line_number': f.line.line_number,
            'chemotherapy_drugs': f.line.chemotherapy_drugs,
            'all_drugs': f.line.drugs
        } as evidence
    from first_line_after_progression f
        join timeline.patient_cohort p using (patient_id)
)

select * from final
