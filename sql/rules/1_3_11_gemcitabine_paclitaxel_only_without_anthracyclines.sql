-- CG81 1.3.11 (TA116): gemcitabine + paclitaxel only when docetaxel monotherapy or docetaxel +
-- capecitabine would also be appropriate, i.e. for a patient not suitable for anthracyclines and
-- not contraindicated for docetaxel (timeline.docetaxel_suitability, the definition 1.3.10 reads).
-- Unit: palliative line containing both drugs; two same-day regimens (gemcitabine in one,
-- paclitaxel in the other) are one gemcitabine + paclitaxel line (measures.md "Line of therapy").
with gemcitabine_paclitaxel as (
    select l.*
    from timeline.lines_of_therapy l
    where list_has_all(l.chemotherapy_drugs, ['gemcitabine', 'paclitaxel'])
),

judged as (
    select
        g.*,
        t.not_suitable_for_anthracycline_from,
        t.not_suitable_for_anthracycline_basis,
        -- a contraindication recorded up to $docetaxel_decision_days_after_start days after the start
        case when t.docetaxel_contraindicated_from <= g.start_date + $docetaxel_decision_days_after_start
            then t.docetaxel_contraindicated_from end as docetaxel_contraindicated_on,
        'gemcitabine + paclitaxel line started ' || strftime(g.start_date, '%Y-%m-%d') || ' ('
            || array_to_string(g.drugs, ', ') || ')' as line_text
    from gemcitabine_paclitaxel g
        join timeline.patient_timeline t using (patient_id)
),

final as (
    select
        patient_id,
        regimen_id as unit_id,
        start_date as unit_date,
        provider_code,
        coalesce(not_suitable_for_anthracycline_from <= start_date, false)
            and docetaxel_contraindicated_on is null as numerator_met,
        'not_suitable_for_anthracyclines: ' || line_text || ' after the patient became unsuitable for anthracyclines ('
            || not_suitable_for_anthracycline_basis || '), with no docetaxel contraindication recorded'
            as adherent_reason,
        case
            when docetaxel_contraindicated_on is not null
                then 'docetaxel_contraindicated: ' || line_text || ': docetaxel was recorded as contraindicated on '
                     || strftime(docetaxel_contraindicated_on, '%Y-%m-%d')
                     || ', so docetaxel would not also be appropriate and gemcitabine + paclitaxel is not an option'
            when not_suitable_for_anthracycline_from is null
                then 'anthracyclines_not_ruled_out: ' || line_text
                     || ' with no earlier anthracycline and no anthracycline contraindication recorded'
            else 'anthracyclines_not_ruled_out: ' || line_text
                 || ', before the patient became unsuitable for anthracyclines (' || not_suitable_for_anthracycline_basis || ')'
        end as non_adherent_reason,
        {
            'regimen_start_date': start_date,
            'regimen_ids': regimen_ids,
            'drugs': drugs,
            'not_suitable_for_anthracycline_from': not_suitable_for_anthracycline_from,
            'basis': not_suitable_for_anthracycline_basis,
            'docetaxel_contraindicated_on': docetaxel_contraindicated_on
        } as evidence
    from judged
)

select * from final
