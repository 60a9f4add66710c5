-- When each patient's docetaxel was first recorded as contraindicated (1.3.10, 1.3.11: gemcitabine
-- + paclitaxel is an option only when docetaxel would also be appropriate, TA116). A contraindication
-- is a fact about the patient (an allergy, say), so it counts from any date, like anthracycline
-- unsuitability beside it, not only from index - 30 days as exceptions do. Declined, trial and
-- not_suitable decisions do not make docetaxel contraindicated (measures.md names the decision).
-- One row per patient with such a decision; both rules read this one definition.
with cohort as (
    select patient_id from timeline.patient_cohort
),

contraindications as (
    select patient_id, decision_date
    from validated.treatment_decisions
    where treatment = 'docetaxel' and decision = 'contraindicated'
),

final as (
    select c.patient_id, min(d.decision_date) as docetaxel_contraindicated_from
    from cohort c
        join contraindications d using (patient_id)
    group by c.patient_id
)

select * from final order by patient_id
