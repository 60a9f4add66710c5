-- One row per regimen (drugs sharing patient_id and regimen_id): its dates, intent, drug classes,
-- and whether it is palliative and a line of therapy (measures.md "Shared definitions").
with exposures as (
    select * from timeline.drug_exposures
),

cohort as (
    select patient_id, index_date, provider_code as patient_provider_code from timeline.patient_cohort
),

regimen_drugs as (
    select
        patient_id,
        regimen_id,
        min(start_date) as start_date,
        -- one ongoing drug keeps the whole regimen ongoing
        case when bool_or(end_date is null) then null else max(end_date) end as end_date,
        case
            when bool_or(intent = 'palliative') then 'palliative'
            when bool_or(intent = 'adjuvant') then 'adjuvant'
            when bool_or(intent = 'neoadjuvant') then 'neoadjuvant'
            -- "supportive" describes a bone-targeted or antiemetic partner, never an anticancer drug
            -- whose intent was not recorded: letrozole (no intent) + denosumab (supportive) is unknown
            when bool_or(intent = 'supportive') and not bool_or(is_anticancer and intent = 'unknown') then 'supportive'
            else 'unknown'
        end as intent,
        -- the reason recorded on the drug that ended last; ties broken clinically (died first)
        arg_max(end_reason, (coalesce(end_date, date '9999-12-31'),
            -list_position(['died', 'progression', 'toxicity', 'patient_choice', 'other', 'completed', 'ongoing', 'unknown'], end_reason)))
            filter (where end_reason is not null) as end_reason,
        -- lists are never NULL: an aggregate filtered to no rows gives NULL, so default to []
        coalesce(list_sort(list_distinct(list(drug) filter (where drug is not null))), []) as drugs,
        coalesce(list_sort(list_distinct(list(drug) filter (where class_group = 'chemotherapy'))), [])
            as chemotherapy_drugs,
        coalesce(list_sort(list_distinct(list(recorded_drug_name) filter (where drug is null))), [])
            as unrecognised_drug_names,
        coalesce(bool_or(class_group = 'endocrine'), false) as has_endocrine,
        coalesce(bool_or(drug_class = 'aromatase_inhibitor'), false) as has_aromatase_inhibitor,
        coalesce(bool_or(drug_class = 'tamoxifen'), false) as has_tamoxifen,
        coalesce(bool_or(drug_class = 'gnrh_agonist'), false) as has_gnrh_agonist,
        coalesce(bool_or(class_group = 'chemotherapy'), false) as has_chemotherapy,
        coalesce(bool_or(is_anthracycline), false) as has_anthracycline,
        coalesce(bool_or(drug_class = 'trastuzumab'), false) as has_trastuzumab,
        coalesce(bool_or(class_group = 'anti_her2'), false) as has_anti_her2,
        coalesce(bool_or(drug_class = 'cdk46_inhibitor'), false) as has_cdk46_inhibitor,
        coalesce(bool_or(class_group = 'targeted'), false) as has_targeted,
        coalesce(bool_or(class_group = 'bone_targeted'), false) as has_bone_targeted,
        count(*) filter (where class_group = 'bone_targeted') > 0
            and count(*) filter (where drug is not null and class_group not in ('bone_targeted', 'supportive')) = 0
            as is_bone_targeted_only,
        coalesce(bool_or(is_anticancer), false) as has_anticancer_drug,
        -- drugs of one regimen may come from several providers: the regimen belongs to the one that
        -- started it, the provider of its earliest-starting drug with a provider recorded (ties: the
        -- lowest code, so the choice never depends on row order); none recorded: the patient's, below
        arg_min(provider_code, (start_date, provider_code)) filter (where provider_code is not null)
            as regimen_provider_code,
        coalesce(bool_or(clinical_trial), false) as in_clinical_trial
    from exposures
    group by patient_id, regimen_id
),

final as (
    select
        r.*,
        array_length(r.chemotherapy_drugs) as chemotherapy_drug_count,
        coalesce(r.regimen_provider_code, c.patient_provider_code) as provider_code,
        r.intent = 'palliative'
            or (r.intent = 'unknown' and r.start_date >= c.index_date - $palliative_unknown_intent_days_before_index)
            as is_palliative
    from regimen_drugs r
        left join cohort c using (patient_id)
)

select
    *,
    -- GnRH-agonist-only and bone-targeted-only regimens accompany lines, they are not lines
    coalesce(is_palliative, false) and has_anticancer_drug as is_line_of_therapy
from final
order by patient_id, start_date, regimen_id
