-- Disclosure control (measures.md "Reporting"): a count from suppress_min to suppress_max is
-- shown as *, any other is rounded to the nearest round_to (0 stays 0).
create or replace temp macro rounded_count(n, round_to) as
    (round(n / round_to) * round_to)::bigint;

create or replace temp macro is_small_count(n, suppress_min, suppress_max) as
    n between suppress_min and suppress_max;

create or replace temp macro disclosed_count(n, suppress_min, suppress_max, round_to) as
    case
        when n is null then null
        when is_small_count(n, suppress_min, suppress_max) then '*'
        else rounded_count(n, round_to)::varchar
    end;

-- The share x/n as commissioners may see it: NULL when either count is small, else calculated
-- from the rounded counts (as NHS Digital's HES guidance does). A share of the true counts beside
-- rounded counts would let anyone recover the true counts and undo the rounding.
create or replace temp macro disclosed_share(x, n, suppress_min, suppress_max, round_to) as
    case
        when is_small_count(x, suppress_min, suppress_max) or is_small_count(n, suppress_min, suppress_max) then null
        when rounded_count(n, round_to) > 0 then rounded_share(rounded_count(x, round_to), rounded_count(n, round_to))
    end;

-- Its 95% Wilson interval, also from the rounded counts, so that it holds the share shown.
create or replace temp macro disclosed_interval(x, n, suppress_min, suppress_max, round_to) as
    case
        when not (is_small_count(x, suppress_min, suppress_max) or is_small_count(n, suppress_min, suppress_max))
            then list_transform(wilson_interval(rounded_count(x, round_to)::double, rounded_count(n, round_to)::double),
                                lambda bound: round(bound, 4))
    end;
