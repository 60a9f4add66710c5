-- Contract dates are ISO YYYY-MM-DD; an impossible date (2024-02-30) is NULL here and quarantined by validation.
create or replace temp macro parse_date(text_value) as
    try_strptime(nullif(trim(text_value), ''), '%Y-%m-%d')::date
