-- Each SACT drug administration with its regimen, found through its cycle (a v1 extract may also carry
-- MERGED_REGIMEN_ID on the drug row); its date is the administration's, else its cycle's start.
with cycles as (
    select * from national.sim_sact_cycle
    qualify row_number() over (partition by trim(merged_cycle_id) order by source_row) = 1
)

select
    d.source_row,
    coalesce(trim(c.merged_regimen_id), nullif(trim(d.merged_regimen_id), '')) as regimen_id,
    nullif(trim(d.drug_group), '') as drug_group,
    upper(trim(d.drug_group)) in (select upper(trim(drug_group)) from national_codes.drug_groups_not_drugs) as not_a_drug,
    nullif(trim(coalesce(d.administration_date, c.start_date_of_cycle)), '') as given_on_text,
    parse_date(coalesce(d.administration_date, c.start_date_of_cycle)) as given_on,
    nullif(upper(trim(d.org_code_of_drug_provider)), '') as provider_code
from national.sim_sact_drug_detail d
    left join cycles c on trim(c.merged_cycle_id) = trim(d.merged_cycle_id)
