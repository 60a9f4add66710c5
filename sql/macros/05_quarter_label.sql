-- Reporting period of a date: its calendar quarter, written 2024Q3.
create or replace temp macro quarter_label(day) as
    strftime(day, '%Y') || 'Q' || quarter(day)::varchar
