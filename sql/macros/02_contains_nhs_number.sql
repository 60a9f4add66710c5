-- True when free text holds a valid NHS number (10 digits, optionally spaced 3-3-4, passing modulus 11).
-- RE2 has no look-around, so a candidate takes its leading non-digit but not its trailing one (the
-- next candidate may need it: `1234567890;9434765919`); one extra digit is taken to reject longer numbers.
create or replace temp macro contains_nhs_number(text_value) as
    coalesce(list_bool_or(list_transform(
        regexp_extract_all(text_value, '(?:^|[^0-9])([0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}[0-9]?)', 1),
        lambda candidate: is_nhs_number(regexp_replace(candidate, '[ -]', '', 'g'))
    )), false)
