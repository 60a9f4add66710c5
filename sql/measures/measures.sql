-- QS12-style measures: per rule, level (national, ICB, provider), group and period (quarter and
-- all): counts, adherence = adherent / (adherent + non_adherent) with a 95% Wilson interval, the
-- target, and whether a commissioner-facing figure must be suppressed (a count of 1 to 7). It reads
-- the temp view measure_outcomes (pipelines/measures/assets.py): the case outcomes as audited, or
-- after review (sql/measures/reviewed_outcomes.sql), each with `reviewed` (an applied review).
with outcomes as (
    select * from measure_outcomes
),

catalogue as (
    select * from rules.catalogue where status = 'audited'
),

by_level as (
    select
        rule_id,
        unnest(reporting_levels(icb_code, provider_code)) as grouping,
        period,
        outcome,
        exclusion_kind,
        reviewed
    from outcomes
),

by_period as (
    select rule_id, grouping.level as level, grouping.grp as grp, unnest([period, 'all']) as period, outcome,
        exclusion_kind, reviewed
    from by_level
),

counts as (
    select
        rule_id, level, grp, period,
        count(*) filter (where outcome = 'adherent') as numerator,
        count(*) filter (where outcome in ('adherent', 'non_adherent')) as denominator,
        count(*) filter (where outcome = 'excluded') as excluded,
        count(*) filter (where outcome = 'insufficient_data') as insufficient_data,
        count(*) filter (where exclusion_kind = 'exclusion') as exclusions,
        count(*) filter (where exclusion_kind = 'exception') as exceptions,
        count(*) filter (where outcome = 'non_adherent' and reviewed) as reviewed_non_adherent
    from by_period
    group by all
),

rules_without_units as (
    select rule_id, 'national' as level, 'national' as grp, 'all' as period,
        0 as numerator, 0 as denominator, 0 as excluded, 0 as insufficient_data, 0 as exclusions, 0 as exceptions,
        0 as reviewed_non_adherent
    from catalogue
    where rule_id not in (select rule_id from counts)
),

final as (
    select
        c.rule_id,
        c.level,
        c.grp as "group",
        c.period,
        c.numerator,
        c.denominator,
        c.excluded,
        c.insufficient_data,
        rounded_share(c.numerator, c.denominator) as adherence,
        round(wilson_interval(c.numerator::double, c.denominator::double)[1], 4) as ci_low,
        round(wilson_interval(c.numerator::double, c.denominator::double)[2], 4) as ci_high,
        k.target,
        case when k.target is not null and c.denominator > 0 then c.numerator / c.denominator >= k.target end
            as target_met,
        is_small_count(c.numerator, $suppress_min, $suppress_max)
            or is_small_count(c.denominator, $suppress_min, $suppress_max) as suppressed,
        c.exclusions,  -- excluded = exclusions + exceptions (not in measures.csv, whose columns are fixed)
        c.exceptions,
        c.reviewed_non_adherent  -- non-adherent cases with an applied review (measures.csv in a run given reviews)
    from (select * from counts union all select * from rules_without_units) c
        join catalogue k using (rule_id)
    order by k.rule_order, list_position(['national', 'icb', 'provider'], c.level), c.grp,
        c.period = 'all' desc, c.period
)

select * from final
