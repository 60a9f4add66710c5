-- CG81 1.3.11 (TA116): gemcitabine + paclitaxel only when docetaxel monotherapy or docetaxel +
-- capecitabine would also be appropriate, i.e. for a patient not suitable for anthracyclines and
-- not contraindicated for docetaxel. Unit: palliative regimen containing both drugs.
with gemcitabine_paclitaxel as (
    select r.*
    from timeline.regimens r
    where r.is_palliative
      and list_has_all(r.chemotherapy_drugs, ['gemcitabine', 'paclitaxel'])
),

-- a contraindication is a fact about the patient (an allergy, say), so it counts from any date,
-- like anthracycline unsuitability, not only from index - 30 days as exceptions do
docetaxel_contraindications as (
    select g.patient_id, g.regimen_id,
        min(d.decision_date) as docetaxel_contraindicated_on
    from gemcitabine_paclitaxel g
        join validated.treatment_decisions d using (patient_id)
    where d.treatment = 'docetaxel' and d.decision = 'contraindicated'
      and d.decision_date <= g.start_date + $docetaxel_decision_days_after_start
    group by g.patient_id, g.regimen_id
),

final as (
    select
        g.patient_id,
        g.regimen_id as unit_id,
        g.start_date as unit_date,
        g.provider_code,
        null as exclusion_reason,
        null as population_unknown_reason,
        coalesce(t.not_suitable_for_anthracycline_from <= g.start_date, false)
            and d.docetaxel_contraindicated_on is null as numerator_met,
        null as numerator_unknown_reason,
        'not suitable for anthracyclines from ' || strftime(t.not_suitable_for_anthracycline_from, '%Y-%m-%d')
            || ' (' || t.not_suitable_for_anthracycline_basis || ')' as adherent_reason,
        case
            when d.docetaxel_contraindicated_on is not null
                then 'docetaxel contraindicated (decision on ' || strftime(d.docetaxel_contraindicated_on, '%Y-%m-%d')
                     || '), so gemcitabine + paclitaxel is not an option'
            when t.not_suitable_for_anthracycline_from is null
                then 'gemcitabine + paclitaxel started ' || strftime(g.start_date, '%Y-%m-%d')
                     || ' with no prior anthracycline and no anthracycline contraindication'
            else 'gemcitabine + paclitaxel started ' || strftime(g.start_date, '%Y-%m-%d')
                 || ', before unsuitability for anthracyclines (' || t.not_suitable_for_anthracycline_basis || ')'
        end as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'regimen_start_date': g.start_date,
            'drugs': g.drugs,
            'not_suitable_for_anthracycline_from': t.not_suitable_for_anthracycline_from,
            'basis': t.not_suitable_for_anthracycline_basis,
            'docetaxel_contraindicated_on': d.docetaxel_contraindicated_on
        } as evidence
    from gemcitabine_paclitaxel g
        join timeline.patient_timeline t using (patient_id)
        left join docetaxel_contraindications d using (patient_id, regimen_id)
)

select * from final
