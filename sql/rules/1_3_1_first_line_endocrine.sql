-- CG81 1.3.1: offer endocrine therapy as first-line treatment for the majority of patients with
-- ER-positive advanced breast cancer. Unit: patient.
with patients as (
    select * from timeline.patient_timeline where er_status in ('positive', 'unknown')
),

ovarian_procedures as (
    select patient_id, start_date from timeline.ovarian_suppression where source = 'procedure'
),

first_lines as (
    select
        p.*,
        p.first_line_start_date <= p.index_date + $first_line_within_days as has_first_line_in_window,
        exists (
            select 1 from ovarian_procedures o
            where o.patient_id = p.patient_id
              and o.start_date between p.index_date - $ovarian_procedure_days_before_index
                                   and p.first_line_start_date + $ovarian_procedure_days_after_first_line
        ) as has_ovarian_procedure
    from patients p
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        case when has_visceral_crisis_at_index then 'clinical_exclusion: visceral crisis at index' end
            as exclusion_reason,
        case when er_status = 'unknown' then 'er_status at index unknown' end as population_unknown_reason,
        case when coalesce(has_first_line_in_window, false)
            then first_line_has_endocrine or first_line_has_gnrh_agonist or has_ovarian_procedure
        end as numerator_met,
        'no first-line palliative regimen starting within ' || $first_line_within_days || ' days of index'
            as numerator_unknown_reason,
        'first-line regimen ' || first_line_regimen_id || ' includes endocrine therapy or ovarian suppression'
            as adherent_reason,
        'first-line regimen ' || first_line_regimen_id || ' has no endocrine therapy ('
            || array_to_string(first_line_drugs, ', ') || ')' as non_adherent_reason,
        ['endocrine_therapy'] as exception_treatments,
        index_date + $first_line_within_days as exception_window_end,
        case when not coalesce(has_first_line_in_window, false) then index_date + $first_line_within_days end as window_end,
        {
            'er_status': er_status,
            'first_line_regimen_id': first_line_regimen_id,
            'first_line_start_date': first_line_start_date,
            'first_line_drugs': first_line_drugs,
            'ovarian_suppression_procedure': has_ovarian_procedure,
            'visceral_crisis_at_index': has_visceral_crisis_at_index
        } as evidence
    from first_lines
)

select * from final
