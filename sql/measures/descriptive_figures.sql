-- Descriptive figures of rules that cannot be audited (e.g. 1.3.9): per figure, level, group and
-- period, the count of units, how many are in the figure's numerator, the share and its 95%
-- Wilson interval. Reads the view figure_units (rule_id, patient_id, unit_id, provider_code,
-- unit_date, in_numerator) built from each rule's descriptive SQL.
with units as (
    select u.*, c.icb_code from figure_units u join timeline.patient_cohort c using (patient_id)
),

by_group as (
    select
        rule_id,
        unnest(reporting_levels(icb_code, provider_code)) as grouping,
        quarter_label(unit_date) as quarter,
        in_numerator
    from units
),

-- a second step: two unnests in one select would pair up, not multiply
by_period as (
    select rule_id, grouping, unnest([quarter, 'all']) as period, in_numerator from by_group
),

counts as (
    select rule_id, grouping.level as level, grouping.grp as grp, period,
        count(*) filter (where in_numerator) as numerator,
        count(*) as units
    from by_period
    group by all
),

final as (
    select
        c.rule_id,
        c.level,
        c.grp as "group",
        c.period,
        c.numerator,
        c.units as denominator,
        rounded_share(c.numerator, c.units) as share,
        round(wilson_interval(c.numerator::double, c.units::double)[1], 4) as ci_low,
        round(wilson_interval(c.numerator::double, c.units::double)[2], 4) as ci_high,
        is_small_count(c.numerator, $suppress_min, $suppress_max)
            or is_small_count(c.units, $suppress_min, $suppress_max) as suppressed,
        -- as commissioner-facing views show them
        disclosed_count(c.numerator, $suppress_min, $suppress_max, $round_to) as numerator_disclosed,
        disclosed_count(c.units, $suppress_min, $suppress_max, $round_to) as denominator_disclosed,
        disclosed_share(c.numerator, c.units, $suppress_min, $suppress_max, $round_to) as share_disclosed,
        disclosed_interval(c.numerator, c.units, $suppress_min, $suppress_max, $round_to)[1] as ci_low_disclosed,
        disclosed_interval(c.numerator, c.units, $suppress_min, $suppress_max, $round_to)[2] as ci_high_disclosed
    from counts c
        join rules.catalogue k using (rule_id)
    order by k.rule_order, list_position(['national', 'icb', 'provider'], c.level), c.grp,
        c.period = 'all' desc, c.period
)

select * from final
