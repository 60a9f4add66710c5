-- CG81 1.3.4: offer an aromatase inhibitor to postmenopausal women with ER-positive disease and
-- (a) no prior endocrine therapy, or (b) prior tamoxifen only; $prior_endocrine picks which.
-- Unit: patient, when she starts palliative endocrine therapy; judged on her first palliative
-- endocrine line (same-day regimens grouped: fulvestrant and letrozole started one day are one
-- line with an aromatase inhibitor). The line given decides: no window, so a death never excludes.
-- With a partial treatment history, a recurrence with no endocrine drug recorded before it could
-- belong to either sub-measure (timeline.prior_endocrine_therapy): insufficient data in both.
with candidates as (
    select
        *,
        'first palliative endocrine treatment ' || started_with_drugs_text(first_endocrine_start_date, first_endocrine_drugs)
            as line_text
    from timeline.patient_timeline
    where first_endocrine_regimen_id is not null
      and (prior_endocrine_kind = $prior_endocrine or prior_endocrine_unknown)
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
        case
            when sex = 'unknown' then sex_unknown_reason()
            when er_status = 'unknown' then er_status_unknown_reason(index_date)
            when coalesce(menopausal_status_at_index, 'unknown') <> 'post'
                then menopausal_status_unknown_reason(index_date)
            when prior_endocrine_unknown then prior_endocrine_unknown_reason(index_date)
        end as population_unknown_reason,
        case
            when first_endocrine_has_aromatase_inhibitor then true
            -- an unrecognised name may be the aromatase inhibitor
            when array_length(first_endocrine_unrecognised_drug_names) > 0 then null
            else false
        end as numerator_met,
        'unrecognised_drug_names: the ' || line_text || ' contains no recognised aromatase inhibitor and '
            || unrecognised_names_text(first_endocrine_unrecognised_drug_names)
            || ': whether it contains one cannot be confirmed' as numerator_unknown_reason,
        'aromatase_inhibitor_given: the ' || line_text || ' contains an aromatase inhibitor' as adherent_reason,
        'no_aromatase_inhibitor: the ' || line_text || ' contains no aromatase inhibitor (anastrozole, letrozole or '
            || 'exemestane)' || case when prior_endocrine_kind = 'tamoxifen_only'
                then ', after tamoxifen before the diagnosis of advanced disease (first started '
                     || strftime(first_prior_endocrine_date, '%Y-%m-%d') || ')' else '' end as non_adherent_reason,
        ['aromatase_inhibitor'] as exception_treatments,
        first_endocrine_start_date + $exception_days_after_endocrine_start as exception_window_end,
        {
            'menopausal_status_at_index': menopausal_status_at_index,
            'menopausal_status_basis': menopausal_status_basis,
            'er_status': er_status,
            'prior_endocrine_drugs': prior_endocrine_drugs,
            'prior_endocrine_unknown': prior_endocrine_unknown,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs,
            'first_endocrine_unrecognised_drug_names': first_endocrine_unrecognised_drug_names
        } as evidence
    from candidates
)

select * from final
