-- True when text holds a full UK postcode (outward and inward code, e.g. SW1A 1AA, SW1A1AA, ls1 4ap),
-- in any case. The letter classes follow the Royal Mail format, which keeps pseudonyms and codes from
-- matching (the inward code's letters are never C, I, K, M, O or V, so `4mm` and `2cm` pass); a
-- partial postcode (SW1A) does not identify and passes. Free text in lower or mixed case also writes
-- ordinals and units after a number (`L2 3rd`, `T12 8Gy`, `C7 5fx`, `6hr`, `1yr`), which have a
-- postcode's inward shape: those are set aside first, so only their upper-case form (`3RD`) is taken
-- for an inward code, as before.
create or replace temp macro contains_postcode(text_value) as
    coalesce(regexp_matches(
        upper(regexp_replace(text_value, '([0-9])([sS]t|[nN]d|[rR]d|[tT]h|[gG]y|[fF]x|[hH]r|[yY]r)', '\1#', 'g')),
        '(^|[^A-Z0-9])(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})([^A-Z0-9]|$)'),
        false)
