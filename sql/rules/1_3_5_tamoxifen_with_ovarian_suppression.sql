-- CG81 1.3.5: offer tamoxifen and ovarian suppression as first-line treatment to pre- and
-- perimenopausal women with ER-positive disease not previously treated with tamoxifen.
-- Unit: patient, when she starts palliative endocrine therapy. $accepted_alternatives may list
-- `ovarian_suppression_with_aromatase_inhibitor` (local policy; strict CG81 by default).
with candidates as (
    select *
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
        arg_min(o.detail || ' from ' || strftime(o.start_date, '%Y-%m-%d'), (o.start_date, o.detail)) as first_suppression
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
                then 'aromatase inhibitor (accepted alternative)'
        end as endocrine_partner
    from candidates c
        left join suppression s using (patient_id)
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
            when menopausal_status_at_index is null or menopausal_status_at_index = 'unknown'
                then 'menopausal_status at index unknown'
        end as population_unknown_reason,
        endocrine_partner is not null and first_suppression is not null as numerator_met,
        null as numerator_unknown_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' includes ' || endocrine_partner
            || ', with ovarian suppression (' || first_suppression || ')' as adherent_reason,
        'first palliative endocrine regimen ' || first_endocrine_regimen_id || ' ('
            || array_to_string(first_endocrine_drugs, ', ') || ')'
            || case when endocrine_partner is null then ' has no tamoxifen' else '' end
            || case when endocrine_partner is null and first_suppression is null then ' and' else '' end
            || case when first_suppression is null
                then ' no ovarian suppression within ' || $ovarian_suppression_days_after_endocrine_start
                     || ' days of its start' else '' end as non_adherent_reason,
        ['tamoxifen', 'ovarian_suppression'] as exception_treatments,
        first_endocrine_start_date + $ovarian_suppression_days_after_endocrine_start as exception_window_end,
        case when endocrine_partner is not null and first_suppression is null
            then first_endocrine_start_date + $ovarian_suppression_days_after_endocrine_start end as window_end,
        {
            'menopausal_status_at_index': menopausal_status_at_index,
            'er_status': er_status,
            'prior_endocrine_drugs': prior_endocrine_drugs,
            'first_endocrine_regimen_id': first_endocrine_regimen_id,
            'first_endocrine_start_date': first_endocrine_start_date,
            'first_endocrine_drugs': first_endocrine_drugs,
            'ovarian_suppression': first_suppression
        } as evidence
    from assessed
)

select * from final
