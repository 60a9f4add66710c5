-- True when free text holds a valid NHS number (10 digits, optionally spaced 3-3-4, passing modulus 11).
create or replace temp macro contains_nhs_number(text_value) as
    coalesce(list_bool_or(list_transform(
        regexp_extract_all(text_value, '(?:^|[^0-9])([0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})(?:[^0-9]|$)', 1),
        lambda candidate: is_nhs_number(regexp_replace(candidate, '[ -]', '', 'g'))
    )), false)
