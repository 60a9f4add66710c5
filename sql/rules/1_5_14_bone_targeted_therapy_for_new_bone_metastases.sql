-- CG81 1.5.14: consider offering bisphosphonates to patients newly diagnosed with bone metastases.
-- Unit: patient, from the first event recording bone metastases (on or after index - 30 days),
-- which also sets the reporting period; adherent when a bone-targeted agent licensed for bone
-- metastases (the licensed bisphosphonates or denosumab 120 mg, the list 1.5.15 applies) starts in
-- that date + $window_start_days .. + $window_end_days. An osteoporosis preparation (alendronic
-- acid, risedronate, denosumab 60 mg, zoledronic acid 5 mg) does not prevent skeletal-related
-- events at its dose and does not count: the reason names it.
with patients as (
    select p.*, t.trigger_date as bone_metastases_date
    from timeline.patient_timeline p
        join timeline.clinical_triggers t using (patient_id)
    where t.trigger = 'bone_metastases'
),

-- bone-targeted drugs by their own start, not their regimen's: one may be added to a running regimen
bone_targeted_in_window as (
    select p.patient_id, d.drug, d.start_date, d.is_licensed_for_bone_metastases
    from patients p
        join timeline.drug_exposures d using (patient_id)
    where d.class_group = 'bone_targeted'
      and d.start_date between p.bone_metastases_date + $window_start_days and p.bone_metastases_date + $window_end_days
),

-- the first start of a licensed agent, with every licensed agent started that day; and the first
-- unlicensed preparation, named when nothing licensed was started
bone_targeted as (
    select
        patient_id,
        min(start_date) filter (where is_licensed_for_bone_metastases) as licensed_start_date,
        list_sort(list_distinct(list(drug) filter (where is_licensed_for_bone_metastases))) as licensed_drugs,
        min(start_date) filter (where not is_licensed_for_bone_metastases) as unlicensed_start_date,
        list_sort(list_distinct(list(drug) filter (where not is_licensed_for_bone_metastases))) as unlicensed_drugs
    from bone_targeted_in_window
    group by patient_id
),

first_licensed as (
    select patient_id, list_sort(list_distinct(list(drug))) as drugs
    from bone_targeted_in_window b
        join bone_targeted t using (patient_id)
    where b.is_licensed_for_bone_metastases and b.start_date = t.licensed_start_date
    group by patient_id
),

described as (
    select
        p.*,
        b.licensed_start_date,
        f.drugs as licensed_drugs,
        b.unlicensed_start_date,
        b.unlicensed_drugs,
        'within ' || days_from_anchor_text($window_start_days) || ' to ' || days_from_anchor_text($window_end_days)
            || ' bone metastases were first recorded (' || strftime(p.bone_metastases_date, '%Y-%m-%d') || ')'
            as window_text
    from patients p
        left join bone_targeted b using (patient_id)
        left join first_licensed f using (patient_id)
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        bone_metastases_date as unit_date,
        provider_code,
        licensed_start_date is not null as numerator_met,
        'licensed_bone_targeted_agent: ' || text_list(licensed_drugs, 'and') || ' started '
            || strftime(licensed_start_date, '%Y-%m-%d') || ', ' || window_text as adherent_reason,
        case when unlicensed_start_date is not null
            then 'osteoporosis_preparation_only: ' || text_list(unlicensed_drugs, 'and') || ' (first started '
                 || strftime(unlicensed_start_date, '%Y-%m-%d') || ') ' || case when array_length(unlicensed_drugs) = 1
                 then 'is an osteoporosis preparation' else 'are osteoporosis preparations' end
                 || ', not licensed for bone metastases and not shown to prevent skeletal-related events at '
                 || 'that dose; no licensed bisphosphonate or denosumab 120 mg was started ' || window_text
            else 'no_bone_targeted_agent: no bisphosphonate or denosumab licensed for bone metastases was started '
                 || window_text
        end as non_adherent_reason,
        ['bone_targeted_therapy'] as exception_treatments,
        -- event-anchored (measures.md "Window anchors"): decisions count from the event - 30 days
        bone_metastases_date - $exception_days_before_event as exception_window_start,
        bone_metastases_date + $window_end_days as exception_window_end,
        bone_metastases_date + $window_end_days as window_end,
        {
            'bone_metastases_date': bone_metastases_date,
            'bone_targeted_start_date': licensed_start_date,
            'bone_targeted_drugs': licensed_drugs,
            'unlicensed_start_date': unlicensed_start_date,
            'unlicensed_drugs': unlicensed_drugs
        } as evidence
    from described
)

select * from final
