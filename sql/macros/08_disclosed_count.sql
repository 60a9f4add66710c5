-- Disclosure control of one count (measures.md "Reporting"): a count from suppress_min to
-- suppress_max is shown as *, any other is rounded to the nearest round_to (0 stays 0).
create or replace temp macro disclosed_count(n, suppress_min, suppress_max, round_to) as
    case
        when n is null then null
        when n between suppress_min and suppress_max then '*'
        else (round(n / round_to) * round_to)::bigint::varchar
    end
