-- A 10-digit string passing the NHS number modulus 11 check (weights 10..2; check digit 11 -> 0, 10 invalid).
create or replace temp macro is_nhs_number(digits) as
    length(digits) = 10
    and regexp_full_match(digits, '[0-9]{10}')
    and (
        (11 - (list_sum(list_transform(range(9), lambda i: (10 - i) * (ascii(substr(digits, i + 1, 1)) - 48))) % 11)) % 11
    ) = ascii(substr(digits, 10, 1)) - 48
