-- CG81 1.5.15: bisphosphonates for bone metastases limited to preparations licensed for this
-- indication (denosumab is licensed too). Unit: regimen with a bone-targeted drug starting on or
-- after the date bone metastases were first recorded - $days_before_bone_metastases days. Each
-- drug's own start counts, not its regimen's (as 1.5.14): a bisphosphonate added to a running
-- endocrine regimen is judged from the day it was added.
with bone_metastases as (
    select patient_id, trigger_date as bone_metastases_date
    from timeline.clinical_triggers where trigger = 'bone_metastases'
),

bone_targeted_drugs as (
    select e.patient_id, e.regimen_id, e.drug, e.start_date, e.is_licensed_for_bone_metastases, b.bone_metastases_date
    from timeline.drug_exposures e
        join bone_metastases b using (patient_id)
    where e.class_group = 'bone_targeted'
      and e.start_date >= b.bone_metastases_date - $days_before_bone_metastases
),

-- one unit per regimen, dated by its first bone-targeted drug in the population
units as (
    select
        patient_id,
        regimen_id,
        min(start_date) as bone_targeted_start_date,
        any_value(bone_metastases_date) as bone_metastases_date,
        list_sort(list_distinct(list(drug))) as bone_targeted_drugs,
        list_sort(list_distinct(list(drug) filter (where not is_licensed_for_bone_metastases))) as unlicensed
    from bone_targeted_drugs
    group by patient_id, regimen_id
),

final as (
    select
        u.patient_id,
        u.regimen_id as unit_id,
        u.bone_targeted_start_date as unit_date,
        r.provider_code,
        null as exclusion_reason,
        null as population_unknown_reason,
        coalesce(len(u.unlicensed), 0) = 0 as numerator_met,
        null as numerator_unknown_reason,
        'licensed for bone metastases: ' || array_to_string(u.bone_targeted_drugs, ', ') as adherent_reason,
        'not licensed for bone metastases: ' || array_to_string(u.unlicensed, ', ') as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'regimen_id': u.regimen_id,
            'start_date': u.bone_targeted_start_date,
            'regimen_start_date': r.start_date,
            'bone_targeted_drugs': u.bone_targeted_drugs,
            'drugs': r.drugs,
            'bone_metastases_date': u.bone_metastases_date
        } as evidence
    from units u
        join timeline.regimens r using (patient_id, regimen_id)
)

select * from final
