-- The measures as commissioners may see them (dashboard, ICB exports): a numerator or
-- denominator from $suppress_min to $suppress_max is shown as * and the adherence, interval and
-- target verdict it would reveal are hidden; every count is shown as * when small and otherwise
-- rounded to the nearest $round_to. Provider case exports are not disclosure-controlled (they go
-- to that provider only).
with measures as (
    select * from measures.measures
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
        case when not suppressed then adherence end as adherence,
        case when not suppressed then ci_low end as ci_low,
        case when not suppressed then ci_high end as ci_high,
        target,
        case when not suppressed then target_met end as target_met,
        suppressed,
        -- data completeness: the share of units with insufficient data, hidden when either count is small
        case when not (insufficient_data between $suppress_min and $suppress_max
                       or units between $suppress_min and $suppress_max)
            then round(insufficient_data / nullif(units, 0), 4) end as insufficient_data_share
    from (select *, denominator + excluded + insufficient_data as units from measures)
)

select * from final
