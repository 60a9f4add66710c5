-- Per rule and level (national, ICB, provider) over the whole period: adherence in each run, its
-- change in percentage points, and how many cases are new, resolved, changed or removed.
-- Expects the views old_measures, new_measures (measures.csv as text), case_changes and rule_order.
with old_all as (
    select rule_id, level, "group", numerator::int as numerator, denominator::int as denominator,
        try_cast(nullif(adherence, '') as double) as adherence
    from old_measures where period = 'all'
),

new_all as (
    select rule_id, level, "group", numerator::int as numerator, denominator::int as denominator,
        try_cast(nullif(adherence, '') as double) as adherence
    from new_measures where period = 'all'
),

case_counts as (
    select
        rule_id,
        unnest(reporting_levels(icb_code, provider_code)) as grouping,
        change
    from case_changes
),

counted as (
    select rule_id, grouping.level as level, grouping.grp as "group",
        count(*) filter (where change = 'new') as new_cases,
        count(*) filter (where change = 'resolved') as resolved_cases,
        count(*) filter (where change = 'changed') as changed_cases,
        count(*) filter (where change = 'removed') as removed_cases
    from case_counts
    group by all
),

compared as (
    select
        coalesce(n.rule_id, o.rule_id) as rule_id,
        coalesce(n.level, o.level) as level,
        coalesce(n."group", o."group") as "group",
        o.numerator as old_numerator,
        o.denominator as old_denominator,
        o.adherence as old_adherence,
        n.numerator as new_numerator,
        n.denominator as new_denominator,
        n.adherence as new_adherence,
        round(100 * (n.adherence - o.adherence), 1) as change_percentage_points
    from old_all o
        full outer join new_all n using (rule_id, level, "group")
)

select
    c.*,
    coalesce(k.new_cases, 0) as new_cases,
    coalesce(k.resolved_cases, 0) as resolved_cases,
    coalesce(k.changed_cases, 0) as changed_cases,
    coalesce(k.removed_cases, 0) as removed_cases
from compared c
    left join counted k using (rule_id, level, "group")
    left join rule_order r using (rule_id)
order by r.rule_order nulls last, c.rule_id, list_position(['national', 'icb', 'provider'], c.level), c."group"
