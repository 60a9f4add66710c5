-- One row per drug given: systemic_therapy rows with recorded names mapped to generic drugs
-- and their classes. A cell naming several drugs ("doxorubicin+cyclophosphamide") gives one row
-- per drug; an unrecognised name keeps its row with drug = NULL (counted as a finding).
with therapy as (
    select * from validated.systemic_therapy
),

name_map as (
    select recorded_name, drug from timeline.drug_name_map
),

value_set as (
    select * from timeline.drug_value_set
),

final as (
    select
        t.source_row,
        t.patient_id,
        t.regimen_id,
        t.drug_name as recorded_drug_name,
        m.drug,
        v.drug_class,
        v.class_group,
        coalesce(v.is_anticancer, false) as is_anticancer,
        coalesce(v.is_anthracycline, false) as is_anthracycline,
        coalesce(v.is_licensed_for_bone_metastases, false) as is_licensed_for_bone_metastases,
        t.start_date,
        t.end_date,
        coalesce(t.intent, 'unknown') as intent,
        t.end_reason,
        t.provider_code,
        t.clinical_trial
    from therapy t
        left join name_map m on m.recorded_name = t.drug_name
        left join value_set v on v.drug = m.drug
)

select * from final order by patient_id, regimen_id, start_date, source_row, drug
