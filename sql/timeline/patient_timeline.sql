-- One row per cohort patient: what the patient-level rules need, assembled once from the models
-- above (index, disease and receptors at index, prior therapy, first line, first endocrine line,
-- anthracycline and docetaxel suitability). Lines are same-day-grouped (timeline.lines_of_therapy):
-- first_line_* and first_endocrine_* describe the whole line, its regimen_id "R1+R2" when grouped.
with cohort as (
    select * from timeline.patient_cohort
),

disease as (
    select * from timeline.disease_at_index
),

receptors as (
    select * from timeline.receptor_status_at_index
),

prior_endocrine as (
    select * from timeline.prior_endocrine_therapy
),

first_line as (
    select * from timeline.lines_of_therapy where line_number = 1
),

anthracycline as (
    select * from timeline.anthracycline_suitability
),

docetaxel as (
    select * from timeline.docetaxel_suitability
),

first_endocrine_line as (
    select * from timeline.lines_of_therapy where endocrine_line_number = 1
),

final as (
    select
        c.*,
        d.* exclude (patient_id),
        r.* exclude (patient_id),
        p.* exclude (patient_id),
        f.regimen_id as first_line_regimen_id,
        f.start_date as first_line_start_date,
        f.end_date as first_line_end_date,
        f.end_reason as first_line_end_reason,
        f.drugs as first_line_drugs,
        f.has_endocrine as first_line_has_endocrine,
        f.has_gnrh_agonist as first_line_has_gnrh_agonist,
        f.has_chemotherapy as first_line_has_chemotherapy,
        f.has_anti_her2 as first_line_has_anti_her2,
        f.unrecognised_drug_names as first_line_unrecognised_drug_names,
        e.regimen_id as first_endocrine_regimen_id,
        e.start_date as first_endocrine_start_date,
        e.drugs as first_endocrine_drugs,
        e.has_aromatase_inhibitor as first_endocrine_has_aromatase_inhibitor,
        e.has_tamoxifen as first_endocrine_has_tamoxifen,
        e.unrecognised_drug_names as first_endocrine_unrecognised_drug_names,
        a.not_suitable_for_anthracycline_from,
        a.not_suitable_for_anthracycline_basis,
        dt.docetaxel_contraindicated_from,
        -- what the source can say (timeline.oral_endocrine_therapy_recorded, .menopausal_status_inferred_from_age:
        -- the national format sets both): no endocrine drug recorded may not mean none given, and a
        -- recorded menopausal status may be an inference from age
        not $oral_endocrine_therapy_recorded as endocrine_therapy_may_be_unrecorded,
        case when d.menopausal_status_at_index is not null and $menopausal_status_inferred_from_age
            then 'inferred from age' else 'recorded' end as menopausal_status_basis
    from cohort c
        join disease d using (patient_id)
        join receptors r using (patient_id)
        join prior_endocrine p using (patient_id)
        left join first_line f using (patient_id)
        left join first_endocrine_line e using (patient_id)
        left join anthracycline a using (patient_id)
        left join docetaxel dt using (patient_id)
)

select * from final order by patient_id
