-- When each patient became unsuitable for anthracyclines (measures.md "Shared definitions";
-- 1.3.10, 1.3.11): the end of any regimen containing an anthracycline, whatever its intent, or an
-- anthracycline decision `contraindicated` / `not_suitable`, whichever came first. Both are facts
-- about the patient, so they count from any date, not only from index - 30 days.
-- 1.3.10 counts chemotherapy lines that start *after* that point: the day after a regimen ended
-- (a line starting on its last day, or the anthracycline regimen itself, is not after it), or the
-- day of a decision (a line started the day unsuitability was decided is the one chosen for it).
with cohort as (
    select patient_id from timeline.patient_cohort
),

anthracycline_regimens as (
    select patient_id, end_date as basis_date, end_date + 1 as lines_counted_from,
        'an anthracycline-containing regimen started ' || strftime(start_date, '%Y-%m-%d') || ' ('
            || array_to_string(drugs, ', ') || ') ended' as basis
    from timeline.regimens
    where has_anthracycline and end_date is not null
),

anthracycline_decisions as (
    select patient_id, decision_date as basis_date, decision_date as lines_counted_from,
        case decision when 'contraindicated' then 'anthracyclines recorded as contraindicated'
            else 'recorded as not suitable for anthracyclines' end as basis
    from validated.treatment_decisions
    where treatment = 'anthracycline' and decision in ('contraindicated', 'not_suitable')
),

final as (
    select
        c.patient_id,
        min(b.basis_date) as not_suitable_for_anthracycline_from,
        arg_min(b.basis || ' on ' || strftime(b.basis_date, '%Y-%m-%d'), (b.basis_date, b.basis))
            as not_suitable_for_anthracycline_basis,
        min(b.lines_counted_from) as chemotherapy_lines_counted_from
    from cohort c
        join (select * from anthracycline_regimens union all select * from anthracycline_decisions) b
            using (patient_id)
    group by c.patient_id
)

select * from final order by patient_id
