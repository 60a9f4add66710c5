-- CG81 1.3.2: offer chemotherapy first line to patients with ER-positive advanced breast cancer
-- whose disease is imminently life-threatening or needs early relief of symptoms because of
-- significant visceral involvement (visceral crisis at index). Unit: patient with a first line.
with patients as (
    select * from timeline.patient_timeline
    where has_visceral_crisis_at_index
      and er_status in ('positive', 'unknown')
      and first_line_regimen_id is not null
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        null as exclusion_reason,
        case when er_status = 'unknown' then 'er_status at index unknown' end as population_unknown_reason,
        first_line_has_chemotherapy as numerator_met,
        null as numerator_unknown_reason,
        'first-line regimen ' || first_line_regimen_id || ' includes chemotherapy' as adherent_reason,
        'first-line regimen ' || first_line_regimen_id || ' has no chemotherapy ('
            || array_to_string(first_line_drugs, ', ') || ')' as non_adherent_reason,
        ['chemotherapy'] as exception_treatments,
        first_line_start_date + $exception_days_after_first_line as exception_window_end,
        null::date as window_end,
        {
            'er_status': er_status,
            'first_line_regimen_id': first_line_regimen_id,
            'first_line_start_date': first_line_start_date,
            'first_line_drugs': first_line_drugs
        } as evidence
    from patients
)

select * from final
