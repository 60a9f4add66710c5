-- Endocrine therapy before advanced disease: endocrine drugs (aromatase inhibitors, tamoxifen,
-- other endocrine; not GnRH agonists, which are ovarian suppression) started before index - N days.
-- Whether "none recorded" means "none given" depends on the source ($prior_therapy_history): with
-- a partial history (a source without oral or adjuvant therapy), a recurrence with nothing
-- recorded may well have had adjuvant endocrine therapy, so it is marked unknown here, once, for
-- every rule whose population depends on it (1.3.4a, 1.3.4b, 1.3.5, 1.3.6, 1.3.7).
with cohort as (
    select patient_id, index_date, is_recurrence from timeline.patient_cohort
),

prior_drugs as (
    select e.patient_id, e.drug, e.drug_class, e.start_date
    from timeline.drug_exposures e
        join cohort c using (patient_id)
    where e.class_group = 'endocrine'
      and e.start_date < c.index_date - $prior_endocrine_days_before_index
),

final as (
    select
        c.patient_id,
        list_sort(list_distinct(list(p.drug) filter (where p.drug is not null))) as prior_endocrine_drugs,
        coalesce(bool_or(p.drug_class = 'tamoxifen'), false) as has_prior_tamoxifen,
        case
            when count(p.drug) = 0 then 'none'
            when bool_and(p.drug_class = 'tamoxifen') then 'tamoxifen_only'
            else 'other'
        end as prior_endocrine_kind,
        min(p.start_date) as first_prior_endocrine_date,
        -- de novo disease (or recurrence not recorded) and recorded prior therapy are judged as
        -- usual; only a recurrence with nothing recorded is unknown, and only with a partial history
        $prior_therapy_history = 'partial' and coalesce(any_value(c.is_recurrence), false) and count(p.drug) = 0
            as prior_endocrine_unknown
    from cohort c
        left join prior_drugs p using (patient_id)
    group by c.patient_id
)

select * from final order by patient_id
