-- Cases whose outcome differs between two published runs, matched on (rule, patient, unit).
-- Expects the views old_outcomes and new_outcomes (each run's case_outcomes.csv, as text) and
-- rule_order (the catalogue's order; rules it does not know sort last).
-- resolved: was on the review list (non_adherent, insufficient_data) and is no longer on it;
-- changed: any other change of outcome; new / removed: the unit is audited in one run only;
-- review_changed: the same outcome, but the quality team's review (verdict or status) changed.
with matched as (
    select
        coalesce(n.rule_id, o.rule_id) as rule_id,
        coalesce(n.patient_id, o.patient_id) as patient_id,
        coalesce(n.unit_id, o.unit_id) as unit_id,
        coalesce(n.provider_code, o.provider_code) as provider_code,
        coalesce(n.icb_code, o.icb_code) as icb_code,
        o.outcome as old_outcome,
        n.outcome as new_outcome,
        o.reason as old_reason,
        n.reason as new_reason,
        nullif(o.review_verdict, '') || coalesce(' (' || nullif(o.review_status, '') || ')', '') as old_review,
        nullif(n.review_verdict, '') || coalesce(' (' || nullif(n.review_status, '') || ')', '') as new_review
    from old_outcomes o
        full outer join new_outcomes n using (rule_id, patient_id, unit_id)
),

classified as (
    select
        *,
        case
            when old_outcome is null then 'new'
            when new_outcome is null then 'removed'
            when old_outcome in ('non_adherent', 'insufficient_data')
             and new_outcome in ('adherent', 'excluded') then 'resolved'
            when old_outcome is not distinct from new_outcome then 'review_changed'
            else 'changed'
        end as change
    from matched
    where old_outcome is distinct from new_outcome or old_review is distinct from new_review
)

select c.rule_id, patient_id, unit_id, provider_code, icb_code, change, old_outcome, new_outcome,
    old_reason, new_reason, old_review, new_review
from classified c
    left join rule_order r using (rule_id)
order by r.rule_order nulls last, c.rule_id, patient_id, unit_id
