-- Radiotherapy courses of cohort patients, each with the provider it is reported under (measures.md
-- "Provider of a unit": the course's own provider_code, else the patient's).
with cohort as (
    select patient_id, provider_code as patient_provider_code from timeline.patient_cohort
),

final as (
    select r.* exclude (source_row), coalesce(r.provider_code, c.patient_provider_code) as unit_provider_code
    from validated.radiotherapy r
        join cohort c using (patient_id)
)

select * from final order by patient_id, start_date, course_id
