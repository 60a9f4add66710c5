-- 1.3.10's lines: the palliative chemotherapy lines (timeline.lines_of_therapy) that start after
-- the patient became unsuitable for anthracyclines (timeline.anthracycline_suitability: from the
-- day after an anthracycline regimen ended, or from the day of a decision), numbered 1, 2, 3...
-- by start from that point, whatever lines came before it. A line is the same-day-grouped line
-- (regimen_id "R1+R2" for two regimens started the same day).
with unsuitability as (
    select * from timeline.anthracycline_suitability
),

chemotherapy_lines as (
    select * from timeline.lines_of_therapy where has_chemotherapy
),

final as (
    select
        l.patient_id,
        row_number() over (partition by l.patient_id order by l.start_date, l.regimen_id) as sequence_number,
        l.regimen_id,
        l.regimen_ids,
        l.start_date,
        l.end_date,
        l.line_number,
        l.chemotherapy_line_number,
        l.drugs,
        l.chemotherapy_drugs,
        l.unrecognised_drug_names,
        u.chemotherapy_lines_counted_from as counted_from,
        u.not_suitable_for_anthracycline_from,
        u.not_suitable_for_anthracycline_basis
    from chemotherapy_lines l
        join unsuitability u using (patient_id)
    where l.start_date >= u.chemotherapy_lines_counted_from
)

select * from final order by patient_id, sequence_number
