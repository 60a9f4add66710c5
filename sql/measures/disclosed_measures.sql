-- The measures as commissioners may see them (dashboard, ICB exports): a numerator or
-- denominator from $suppress_min to $suppress_max is shown as * and the adherence, interval and
-- target verdict it would reveal are hidden; every other count is rounded to the nearest
-- $round_to, and the adherence and its interval are calculated from the rounded counts, so that
-- they cannot give the true counts away (as NHS Digital does for HES). The target verdict is the
-- exact one (measures.measures.target_met): a verdict judged on rounded counts is wrong whenever
-- the rounding moves the share across the target (true 8/11 = 73% shown as 10/10 = 100%), and one
-- bit per row gives the counts away far less than an exact share would. measures.measures keeps
-- the exact figures. Provider case exports are not disclosure-controlled (they go to that provider only).
with measures as (
    -- measures_to_disclose: a temp view of measures.measures, or of measures.measures_after_review
    -- (pipelines/measures/assets.py)
    select *, denominator + excluded + insufficient_data as units from measures_to_disclose
),

disclosed as (
    select
        *,
        disclosed_share(numerator, denominator, $suppress_min, $suppress_max, $round_to) as shown_adherence,
        disclosed_interval(numerator, denominator, $suppress_min, $suppress_max, $round_to) as shown_interval
    from measures
),

final as (
    select
        rule_id,
        level,
        "group",
        period,
        disclosed_count(numerator, $suppress_min, $suppress_max, $round_to) as numerator,
        disclosed_count(denominator, $suppress_min, $suppress_max, $round_to) as denominator,
        disclosed_count(excluded, $suppress_min, $suppress_max, $round_to) as excluded,
        disclosed_count(insufficient_data, $suppress_min, $suppress_max, $round_to) as insufficient_data,
        disclosed_count(units, $suppress_min, $suppress_max, $round_to) as units,
        shown_adherence as adherence,
        shown_interval[1] as ci_low,
        shown_interval[2] as ci_high,
        target,
        -- hidden wherever the adherence is (a suppressed count), like the adherence itself
        case when shown_adherence is not null then target_met end as target_met,
        suppressed,
        -- data completeness: the share of units with insufficient data
        disclosed_share(insufficient_data, units, $suppress_min, $suppress_max, $round_to) as insufficient_data_share
    from disclosed
)

select * from final
