-- Each returned review (raw.reviews) matched to this run's case on rule, patient pseudonym and unit:
-- `applied` when the case is the one that was reviewed (the same rule version and the same evidence:
-- the sha256 of its evidence JSON, as the case lists print it); `stale` when either changed since,
-- so the review is reported and never silently applied; `unmatched` when the run has no such case.
with cases as (
    select o.rule_id, o.patient_id, o.unit_id, o.provider_code, o.outcome,
        sha256(o.evidence) as evidence_sha256, c.version::varchar as rule_version
    from rules.case_outcomes o
        join rules.catalogue c using (rule_id)
)

select
    r.file_name,
    r.file_row,
    r.location,
    r.provider_code as reviewed_provider_code,
    r.rule_id,
    r.patient_id,
    r.unit_id,
    c.provider_code,
    c.outcome,
    r.review_verdict,
    r.review_reason,
    r.reviewed_by_role,
    case
        when c.rule_id is null then 'unmatched'
        when r.rule_version is distinct from c.rule_version or r.evidence_sha256 is distinct from c.evidence_sha256
            then 'stale'
        else 'applied'
    end as review_status,
    case
        when c.rule_id is null then 'the run has no such case'
        when r.rule_version is distinct from c.rule_version
            then 'the rule is now version ' || c.rule_version || ' (reviewed at version '
                 || coalesce(nullif(r.rule_version, ''), 'unknown') || ')'
        when r.evidence_sha256 is distinct from c.evidence_sha256
            then 'the case''s evidence has changed since it was reviewed'
    end as status_reason
from raw.reviews r
    left join cases c using (rule_id, patient_id, unit_id)
order by r.file_name, r.file_row
