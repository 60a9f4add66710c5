-- CG81 1.3.2: offer chemotherapy first line to patients with ER-positive advanced breast cancer
-- whose disease is imminently life-threatening or needs early relief of symptoms because of
-- significant visceral involvement (visceral crisis at index). Unit: patient with a first line
-- (the same-day-grouped line, timeline.lines_of_therapy). The first line given decides: no window,
-- so a death never excludes.
with patients as (
    select
        *,
        'first-line regimen ' || started_with_drugs_text(first_line_start_date, first_line_drugs) as line_text
    from timeline.patient_timeline
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
        case when er_status = 'unknown' then er_status_unknown_reason(index_date) end as population_unknown_reason,
        case
            when first_line_has_chemotherapy then true
            -- an unrecognised name may be the chemotherapy drug
            when array_length(first_line_unrecognised_drug_names) > 0 then null
            else false
        end as numerator_met,
        'unrecognised_drug_names: the ' || line_text || ' contains no recognised chemotherapy and '
            || unrecognised_names_text(first_line_unrecognised_drug_names)
            || ': whether it contains chemotherapy cannot be confirmed' as numerator_unknown_reason,
        'chemotherapy_first_line: the ' || line_text || ' contains chemotherapy, for visceral crisis recorded at '
            || advanced_diagnosis_text(index_date) as adherent_reason,
        'no_chemotherapy_first_line: the ' || line_text || ' contains no chemotherapy, although visceral crisis '
            || 'was recorded at ' || advanced_diagnosis_text(index_date) as non_adherent_reason,
        ['chemotherapy'] as exception_treatments,
        first_line_start_date + $exception_days_after_first_line as exception_window_end,
        {
            'er_status': er_status,
            'first_line_regimen_id': first_line_regimen_id,
            'first_line_start_date': first_line_start_date,
            'first_line_drugs': first_line_drugs,
            'first_line_unrecognised_drug_names': first_line_unrecognised_drug_names
        } as evidence
    from patients
)

select * from final
