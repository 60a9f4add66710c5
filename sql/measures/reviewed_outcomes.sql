-- The case outcomes with the reviews the quality teams returned (rules.case_reviews, applied only):
-- `$after_review` false: as audited; true: after review, where a justified deviation counts as an
-- exception (excluded) and a data error leaves the measure (neither numerator nor denominator: it is
-- listed in data_quality/review_data_errors.csv for correction at source). `agree`, stale reviews
-- and unreviewed cases keep the automated outcome.
with applied as (
    select rule_id, patient_id, unit_id, review_verdict from rules.case_reviews where review_status = 'applied'
)

select
    o.rule_id,
    o.icb_code,
    o.provider_code,
    o.period,
    case when $after_review and a.review_verdict = 'justified_deviation' then 'excluded' else o.outcome end
        as outcome,
    case when $after_review and a.review_verdict = 'justified_deviation' then 'exception' else o.exclusion_kind end
        as exclusion_kind,
    a.review_verdict is not null as reviewed
from rules.case_outcomes o
    left join applied a using (rule_id, patient_id, unit_id)
where not ($after_review and a.review_verdict is not distinct from 'data_error')
