-- The registry's breast cancer tumours (ICD-10 C50, from the 3- or 4-character site), each with its
-- stage at diagnosis read as metastatic or not: M1 (M_BEST `1`, `1a`, `M1b`...) or stage 4
-- (STAGE_BEST `4`, `4A`...) is metastatic; M0 or stage 0-3 is not; anything else (X, U, ?, 6,
-- blank, or both columns absent) leaves it unknown.
with tumours as (
    select
        t.*,
        upper(trim(coalesce(nullif(trim(t.site_icd10_o2_3char), ''), left(trim(t.site_icd10_o2), 3)))) as site_3char,
        upper(trim(t.m_best)) as m_stage,
        upper(trim(t.stage_best)) as stage
    from national.sim_av_tumour t
)

select
    * exclude (m_stage, stage),
    case
        when regexp_matches(m_stage, '^M?1') or regexp_matches(stage, '^4') then true
        when regexp_matches(m_stage, '^M?0') or regexp_matches(stage, '^[0-3]') then false
    end as metastatic_at_diagnosis,
    try_cast(trim(age) as integer) as age_at_diagnosis,
    parse_date(diagnosisdatebest) as diagnosis_date
from tumours
where site_3char = 'C50'
