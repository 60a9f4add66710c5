-- CG81 1.3.7: offer tamoxifen as first-line treatment to men with ER-positive advanced breast
-- cancer. Unit: patient, when he starts palliative endocrine therapy; judged on his first
-- palliative endocrine line (same-day regimens grouped). The line given decides: no window, so a
-- death never excludes. With a partial treatment history, a recurrence with no endocrine drug
-- recorded before it is insufficient data (timeline.prior_endocrine_therapy).
with patients as (
    select
        *,
        'first palliative endocrine treatment ' || started_with_drugs_text(first_endocrine_start_date, first_endocrine_drugs)
            as line_text
    from timeline.patient_timeline
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
        case
            when sex = 'unknown' then sex_unknown_reason()
            when er_status = 'unknown' then er_status_unknown_reason(index_date)
            when prior_endocrine_unknown then prior_endocrine_unknown_reason(index_date)
        end as population_unknown_reason,
        case
            when first_endocrine_has_tamoxifen then true
            -- an unrecognised name may be the tamoxifen
            when array_length(first_endocrine_unrecognised_drug_names) > 0 then null
            else false
        end as numerator_met,
        'unrecognised_drug_names: the ' || line_text || ' contains no recognised tamoxifen and '
            || unrecognised_names_text(first_endocrine_unrecognised_drug_names)
            || ': whether it contains tamoxifen cannot be confirmed' as numerator_unknown_reason,
        'tamoxifen_given: the ' || line_text || ' contains tamoxifen' as adherent_reason,
        'no_tamoxifen: the ' || line_text || ' contains no tamoxifen' as non_adherent_reason,
        ['tamoxifen'] as exception_treatments,
        first_endocrine_start_date + $exception_days_after_endocrine_start as exception_window_end,
        {
            'er_status': er_status,
            'prior_endocrine_drugs': prior_endocrine_drugs,
            'prior_endocrine_unknown': prior_endocrine_unknown,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs,
            'first_endocrine_unrecognised_drug_names': first_endocrine_unrecognised_drug_names
        } as evidence
    from patients
)

select * from final
