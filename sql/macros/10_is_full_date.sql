-- True when a value is a full calendar date (2024-03-01, 01/03/2024, 20240301): in a birth-year
-- column that is a full date of birth, which the contract forbids.
create or replace temp macro is_full_date(text_value) as
    coalesce(regexp_matches(trim(text_value),
        '^([0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}|[0-9]{8})([ T].*)?$'),
        false)
