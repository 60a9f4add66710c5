-- CG81 1.3.7: offer tamoxifen as first-line treatment to men with ER-positive advanced breast
-- cancer. Unit: patient, when he starts palliative endocrine therapy.
with patients as (
    select * from timeline.patient_timeline
    where first_endocrine_regimen_id is not null
      and er_status in ('positive', 'unknown')
      and sex in ('male', 'unknown')
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        null as exclusion_reason,
        case
            when sex = 'unknown' then 'sex unknown'
            when er_status = 'unknown' then 'er_status at index unknown'
        end as population_unknown_reason,
        first_endocrine_has_tamoxifen as numerator_met,
        null as numerator_unknown_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' includes tamoxifen' as adherent_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' has no tamoxifen ('
            || array_to_string(first_endocrine_drugs, ', ') || ')' as non_adherent_reason,
        ['tamoxifen'] as exception_treatments,
        first_endocrine_start_date + $exception_days_after_endocrine_start as exception_window_end,
        null::date as window_end,
        {
            'er_status': er_status,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs
        } as evidence
    from patients
)

select * from final
