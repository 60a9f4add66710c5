-- The levels every figure is reported at, as (level, group) pairs to unnest: national, the
-- patient's ICB (`unknown` when not recorded) and the provider.
create or replace temp macro reporting_levels(icb_code, provider_code) as [
    {'level': 'national', 'grp': 'national'},
    {'level': 'icb', 'grp': coalesce(icb_code, 'unknown')},
    {'level': 'provider', 'grp': provider_code}
]
