-- CG81 1.5.14: consider offering bisphosphonates to patients newly diagnosed with bone metastases.
-- Unit: patient, from the first event recording bone metastases (on or after index - 30 days);
-- adherent when a bisphosphonate or denosumab starts in that date + $window_start_days .. + $window_end_days.
with patients as (
    select p.*, t.trigger_date as bone_metastases_date
    from timeline.patient_timeline p
        join timeline.clinical_triggers t using (patient_id)
    where t.trigger = 'bone_metastases'
),

-- bone-targeted drugs by their own start, not their regimen's: one may be added to a running regimen
bone_targeted_in_window as (
    select p.patient_id, d.drug, d.start_date
    from patients p
        join timeline.drug_exposures d using (patient_id)
    where d.class_group = 'bone_targeted'
      and d.start_date between p.bone_metastases_date + $window_start_days and p.bone_metastases_date + $window_end_days
),

bone_targeted as (  -- the first start in the window, with every drug started that day
    select patient_id, start_date, list_sort(list_distinct(list(drug))) as drugs
    from bone_targeted_in_window
    group by patient_id, start_date
    qualify row_number() over (partition by patient_id order by start_date) = 1
),

final as (
    select
        p.patient_id,
        p.patient_id as unit_id,
        p.index_date as unit_date,
        p.provider_code,
        case when b.patient_id is null
            then died_before_window_closed(p.date_of_death, p.bone_metastases_date + $window_end_days) end as exclusion_reason,
        null as population_unknown_reason,
        b.patient_id is not null as numerator_met,
        null as numerator_unknown_reason,
        array_to_string(b.drugs, ', ') || ' from ' || strftime(b.start_date, '%Y-%m-%d') as adherent_reason,
        'no bisphosphonate or denosumab from ' || strftime(p.bone_metastases_date + $window_start_days, '%Y-%m-%d')
            || ' to ' || strftime(p.bone_metastases_date + $window_end_days, '%Y-%m-%d') as non_adherent_reason,
        ['bone_targeted_therapy'] as exception_treatments,
        p.bone_metastases_date + $window_end_days as exception_window_end,
        p.bone_metastases_date + $window_end_days as window_end,
        {
            'bone_metastases_date': p.bone_metastases_date,
            'bone_targeted_start_date': b.start_date,
            'bone_targeted_drugs': b.drugs
        } as evidence
    from patients p
        left join bone_targeted b using (patient_id)
)

select * from final
