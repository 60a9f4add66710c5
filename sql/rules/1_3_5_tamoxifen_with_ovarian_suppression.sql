-- CG81 1.3.5: offer tamoxifen and ovarian suppression as first-line treatment to pre- and
-- perimenopausal women with ER-positive disease not previously treated with tamoxifen.
-- Unit: patient, when she starts palliative endocrine therapy (her first palliative endocrine
-- line, same-day regimens grouped). $accepted_alternatives may list
-- `ovarian_suppression_with_aromatase_inhibitor` (local policy; strict CG81 by default).
-- Window: ovarian suppression may start up to N days after the endocrine start; a death before
-- then, with tamoxifen and no suppression yet, leaves it undecided (the shared death rule).
with candidates as (
    select
        *,
        'first palliative endocrine treatment ' || started_with_drugs_text(first_endocrine_start_date, first_endocrine_drugs)
            as line_text
    from timeline.patient_timeline
    where first_endocrine_regimen_id is not null
      and not has_prior_tamoxifen
      and er_status in ('positive', 'unknown')
      and sex in ('female', 'unknown')
      and coalesce(menopausal_status_at_index, 'unknown') not in ('post', 'not_applicable')
),

-- ovarian suppression that starts within the window of the endocrine start, or is still in place
suppression as (
    select
        c.patient_id,
        arg_min(ovarian_suppression_text(o.source, o.detail, o.start_date), (o.start_date, o.detail))
            as first_suppression
    from candidates c
        join timeline.ovarian_suppression o using (patient_id)
    where o.start_date <= c.first_endocrine_start_date + $ovarian_suppression_days_after_endocrine_start
      and (o.end_date is null
           or o.end_date >= c.first_endocrine_start_date - $ovarian_suppression_days_after_endocrine_start)
    group by c.patient_id
),

assessed as (
    select
        c.*,
        s.first_suppression,
        case
            when c.first_endocrine_has_tamoxifen then 'tamoxifen'
            when c.first_endocrine_has_aromatase_inhibitor
                 and list_contains($accepted_alternatives, 'ovarian_suppression_with_aromatase_inhibitor')
                then 'an aromatase inhibitor (accepted alternative to tamoxifen)'
        end as endocrine_partner,
        'no ovarian suppression (GnRH agonist, oophorectomy or ovarian ablation) in place or started within '
            || $ovarian_suppression_days_after_endocrine_start || ' days of its start' as no_suppression_text
    from candidates c
        left join suppression s using (patient_id)
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
            when menopausal_status_at_index is null or menopausal_status_at_index = 'unknown'
                then menopausal_status_unknown_reason(index_date)
            when prior_endocrine_unknown then prior_endocrine_unknown_reason(index_date)
        end as population_unknown_reason,
        case
            when endocrine_partner is not null and first_suppression is not null then true
            -- an unrecognised name may be the tamoxifen or the GnRH agonist
            when array_length(first_endocrine_unrecognised_drug_names) > 0 then null
            else false
        end as numerator_met,
        'unrecognised_drug_names: the ' || line_text || ' '
            || unrecognised_names_text(first_endocrine_unrecognised_drug_names)
            || ': whether it contains tamoxifen with ovarian suppression cannot be confirmed' as numerator_unknown_reason,
        case when first_endocrine_has_tamoxifen then 'tamoxifen_with_ovarian_suppression: ' else 'accepted_alternative: ' end
            || 'the ' || line_text || ' contains ' || endocrine_partner || ', with ovarian suppression ('
            || first_suppression || ')' as adherent_reason,
        case
            when endocrine_partner is null and first_suppression is null
                then 'no_tamoxifen_or_ovarian_suppression: the ' || line_text || ' contains no tamoxifen, and '
                     || no_suppression_text
            when endocrine_partner is null
                then 'no_tamoxifen: the ' || line_text || ' contains no tamoxifen (ovarian suppression: '
                     || first_suppression || ')'
            else 'no_ovarian_suppression: the ' || line_text || ' contains ' || endocrine_partner || ', but '
                || no_suppression_text
        end as non_adherent_reason,
        ['tamoxifen', 'ovarian_suppression'] as exception_treatments,
        first_endocrine_start_date + $ovarian_suppression_days_after_endocrine_start as exception_window_end,
        -- the window matters only while suppression may still come; a line without tamoxifen
        -- (or the accepted alternative) is decided the day it starts
        case when endocrine_partner is not null and first_suppression is null
            then first_endocrine_start_date + $ovarian_suppression_days_after_endocrine_start end as window_end,
        {
            'menopausal_status_at_index': menopausal_status_at_index,
            'er_status': er_status,
            'prior_endocrine_drugs': prior_endocrine_drugs,
            'prior_endocrine_unknown': prior_endocrine_unknown,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs,
            'first_endocrine_unrecognised_drug_names': first_endocrine_unrecognised_drug_names,
            'ovarian_suppression': first_suppression
        } as evidence
    from assessed
)

select * from final
