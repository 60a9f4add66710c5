-- CG81 1.3.9 (not auditable): the share of first palliative chemotherapy lines that combine two
-- or more chemotherapy drugs. A descriptive figure: no target, no judgement of any patient.
-- Unit: each cohort patient's first palliative chemotherapy line.
with first_chemotherapy_lines as (
    select * from timeline.lines_of_therapy where chemotherapy_line_number = 1
),

final as (
    select
        l.patient_id,
        l.regimen_id as unit_id,
        l.start_date as unit_date,
        l.provider_code,
        l.chemotherapy_drug_count >= 2 as in_numerator
    from first_chemotherapy_lines l
        join timeline.patient_cohort c using (patient_id)
)

select * from final
