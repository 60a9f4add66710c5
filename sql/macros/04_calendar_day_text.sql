-- The calendar day of a date as NHS systems and Excel export it, as text without its time of day:
-- ISO 2024-03-01, or UK day-first 01/03/2024, 1/3/2024, 01-03-2024, 01.03.2024 (one separator
-- throughout), each optionally followed by a time (" 09:30", " 09:30:00", " 09:30:00.000",
-- "T09:30:00", "T09:30:00.123Z"): a time only says when on that day. NULL for anything else, so that
-- month-first forms with a day above 12, two-digit years and Excel serial numbers (45352) are never
-- guessed. Loaded before 04_parse_date.sql, which reads the day from this text.
create or replace temp macro calendar_day_text(text_value) as
    nullif(regexp_extract(trim(text_value),
        '^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}'
        || '|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4})'
        || '(?: (?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?'
        || '|T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?Z?)?$', 1), '')
