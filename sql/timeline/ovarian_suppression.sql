-- Ovarian suppression episodes: GnRH agonist courses (any intent) and oophorectomy or ovarian
-- ablation radiotherapy (permanent: no end date).
with gnrh_agonists as (
    select patient_id, start_date, end_date, 'gnrh_agonist' as source, drug as detail
    from timeline.drug_exposures
    where drug_class = 'gnrh_agonist'
),

procedures as (
    select patient_id, procedure_date as start_date, null::date as end_date, 'procedure' as source,
        procedure as detail
    from validated.procedures
    where procedure in ('oophorectomy', 'ovarian_ablation_radiotherapy')
),

final as (
    select * from gnrh_agonists
    union all
    select * from procedures
)

select * from final order by patient_id, start_date, source, detail
