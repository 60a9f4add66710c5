-- CG81 1.5.15: bisphosphonates for bone metastases limited to preparations licensed for this
-- indication (denosumab is licensed too). Unit: regimen with a bone-targeted drug starting on or
-- after the date bone metastases were first recorded - $days_before_bone_metastases days. Each
-- drug's own start counts, not its regimen's (as 1.5.14): a bisphosphonate added to a running
-- endocrine regimen is judged from the day it was added. "Licensed" is the value set's flag, the same
-- one 1.5.14 applies, so the two rules agree on every drug.
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
        list_sort(list_distinct(list(drug) filter (where not is_licensed_for_bone_metastases))) as unlicensed,
        -- an osteoporosis preparation may be added to a regimen begun with a licensed drug: its own start
        min(start_date) filter (where not is_licensed_for_bone_metastases) as unlicensed_start_date
    from bone_targeted_drugs
    group by patient_id, regimen_id
),

final as (
    select
        u.patient_id,
        u.regimen_id as unit_id,
        u.bone_targeted_start_date as unit_date,
        r.provider_code,
        coalesce(array_length(u.unlicensed), 0) = 0 as numerator_met,
        'licensed_for_bone_metastases: ' || text_list(u.bone_targeted_drugs, 'and')
            || case when array_length(u.bone_targeted_drugs) = 1 then ' (started ' else ' (first started ' end
            || strftime(u.bone_targeted_start_date, '%Y-%m-%d') || ') '
            || case when array_length(u.bone_targeted_drugs) = 1 then 'is' else 'are' end
            || ' licensed for bone metastases' as adherent_reason,
        'not_licensed_for_bone_metastases: ' || text_list(u.unlicensed, 'and')
            || case when array_length(u.unlicensed) = 1 then ' (started ' else ' (first started ' end
            || strftime(u.unlicensed_start_date, '%Y-%m-%d') || ') '
            || case when array_length(u.unlicensed) = 1 then 'is an osteoporosis preparation' else 'are osteoporosis preparations' end
            || ', not licensed for bone metastases (licensed: zoledronic acid, pamidronate, ibandronic acid, '
            || 'sodium clodronate, denosumab 120 mg)' as non_adherent_reason,
        {
            'regimen_id': u.regimen_id,
            'start_date': u.bone_targeted_start_date,
            'regimen_start_date': r.start_date,
            'bone_targeted_drugs': u.bone_targeted_drugs,
            'unlicensed_drugs': u.unlicensed,
            'drugs': r.drugs,
            'bone_metastases_date': u.bone_metastases_date
        } as evidence
    from units u
        join timeline.regimens r using (patient_id, regimen_id)
)

select * from final
