-- True when text holds a full UK postcode (outward and inward code, e.g. SW1A 1AA or SW1A1AA), in
-- the upper case that NHS systems record. The letter classes follow the Royal Mail format, which
-- keeps pseudonyms and codes from matching; a partial postcode (SW1A) does not identify and passes.
create or replace temp macro contains_postcode(text_value) as
    coalesce(regexp_matches(text_value,
        '(^|[^A-Za-z0-9])(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})([^A-Za-z0-9]|$)'),
        false)
