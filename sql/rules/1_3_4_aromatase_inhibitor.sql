-- CG81 1.3.4: offer an aromatase inhibitor to postmenopausal women with ER-positive disease and
-- (a) no prior endocrine therapy, or (b) prior tamoxifen only; $prior_endocrine picks which.
-- Unit: patient, when she starts palliative endocrine therapy.
with candidates as (
    select *
    from timeline.patient_timeline
    where first_endocrine_regimen_id is not null
      and prior_endocrine_kind = $prior_endocrine
      and er_status in ('positive', 'unknown')
      and sex in ('female', 'unknown')
      -- not_applicable (recorded for men) is outside, as in 1.3.5 and 1.3.6; unknown is insufficient data
      and coalesce(menopausal_status_at_index, 'unknown') not in ('pre', 'peri', 'not_applicable')
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
            when coalesce(menopausal_status_at_index, 'unknown') <> 'post'
                then 'menopausal_status at index unknown'
        end as population_unknown_reason,
        first_endocrine_has_aromatase_inhibitor as numerator_met,
        null as numerator_unknown_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' includes an aromatase inhibitor'
            as adherent_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' has no aromatase inhibitor ('
            || array_to_string(first_endocrine_drugs, ', ') || ')' as non_adherent_reason,
        ['aromatase_inhibitor'] as exception_treatments,
        first_endocrine_start_date + $exception_days_after_endocrine_start as exception_window_end,
        null::date as window_end,
        {
            'menopausal_status_at_index': menopausal_status_at_index,
            'er_status': er_status,
            'prior_endocrine_drugs': prior_endocrine_drugs,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs
        } as evidence
    from candidates
)

select * from final
