-- A contract date (ISO or UK day-first, see 04_calendar_day_text.sql), value by value, so one column
-- may mix the forms. An impossible day (31/02/2024, 2024-02-30, or 02/13/2024 read day first) or a
-- value in no accepted form is NULL here and quarantined by validation.
create or replace temp macro parse_date(text_value) as
    try_strptime(calendar_day_text(text_value), ['%Y-%m-%d', '%d/%m/%Y', '%d-%m-%Y', '%d.%m.%Y'])::date
