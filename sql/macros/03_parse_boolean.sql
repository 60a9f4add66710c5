-- Contract booleans: true/false, 1/0, yes/no, y/n in any case; anything else is unknown (NULL).
create or replace temp macro parse_boolean(text_value) as
    case
        when lower(trim(text_value)) in ('true', '1', 'yes', 'y') then true
        when lower(trim(text_value)) in ('false', '0', 'no', 'n') then false
    end
