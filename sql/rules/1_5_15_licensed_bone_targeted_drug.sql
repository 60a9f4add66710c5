-- CG81 1.5.15: bisphosphonates for bone metastases limited to preparations licensed for this
-- indication (denosumab is licensed too). Unit: bone-targeted regimen starting on or after the
-- date bone metastases were first recorded - $days_before_bone_metastases days.
with bone_metastases as (
    select patient_id, trigger_date as bone_metastases_date
    from timeline.clinical_triggers where trigger = 'bone_metastases'
),

regimens as (
    select r.*, b.bone_metastases_date
    from timeline.regimens r
        join bone_metastases b using (patient_id)
    where r.has_bone_targeted
      and r.start_date >= b.bone_metastases_date - $days_before_bone_metastases
),

drugs as (
    select e.patient_id, e.regimen_id,
        list_sort(list_distinct(list(e.drug) filter (where not e.is_licensed_for_bone_metastases))) as unlicensed
    from timeline.drug_exposures e
    where e.class_group = 'bone_targeted'
    group by e.patient_id, e.regimen_id
),

final as (
    select
        r.patient_id,
        r.regimen_id as unit_id,
        r.start_date as unit_date,
        r.provider_code,
        null as exclusion_reason,
        null as population_unknown_reason,
        coalesce(len(d.unlicensed), 0) = 0 as numerator_met,
        null as numerator_unknown_reason,
        'licensed for bone metastases: ' || array_to_string(r.drugs, ', ') as adherent_reason,
        'not licensed for bone metastases: ' || array_to_string(d.unlicensed, ', ') as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'regimen_id': r.regimen_id,
            'start_date': r.start_date,
            'drugs': r.drugs,
            'bone_metastases_date': r.bone_metastases_date
        } as evidence
    from regimens r
        join drugs d using (patient_id, regimen_id)
)

select * from final
