-- An English month name or its abbreviation, lower case, with an optional full stop.
create or replace temp macro month_name_pattern() as
    '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?';

-- True when a value is a full calendar date (2024-03-01, 01/03/2024, 20240301, 14 Mar 1955,
-- March 14th, 1955, 1955-Mar-14), in any case: in a year-of-birth column that is a full date of
-- birth, which the contract forbids (and which validation would otherwise show as an invalid year).
create or replace temp macro is_full_date(text_value) as
    coalesce(regexp_matches(lower(trim(text_value)),
        '^([0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}|[0-9]{8}'
        || '|[0-9]{1,2}(st|nd|rd|th)?[ ./-]*(of )?' || month_name_pattern() || '[ ./,-]*[0-9]{2,4}'
        || '|' || month_name_pattern() || '[ ./-]*[0-9]{1,2}(st|nd|rd|th)?[ ./,-]+[0-9]{2,4}'
        || '|[0-9]{4}[ ./-]*' || month_name_pattern() || '[ ./-]*[0-9]{1,2})([ t].*)?$'),
        false);
