-- Documented decisions not to give a treatment, from index - N days: the exceptions rules may
-- apply (each rule adds its own treatment list and window end).
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

final as (
    select d.patient_id, d.decision_date, d.treatment, d.decision
    from validated.treatment_decisions d
        join cohort c using (patient_id)
    where d.decision_date >= c.index_date - $exception_days_before_index
)

select * from final order by patient_id, decision_date, treatment, decision
