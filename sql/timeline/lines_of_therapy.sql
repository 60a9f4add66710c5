-- Palliative lines of therapy (measures.md "Line of therapy"): palliative regimens of one patient
-- that start on the same day are one line, their drugs together, whatever their regimen ids
-- (source systems often record each drug of a combination as its own regimen). A line needs an
-- anticancer drug; a GnRH-agonist-only regimen joins a line that starts the same day but is never
-- a line alone, and bone-targeted-only regimens stay outside lines. Lines are numbered by start
-- date; chemotherapy and endocrine lines number only the lines that contain such a drug.
-- `regimen_id` is the line's id: the regimen's own id, or the ids of its same-day regimens joined
-- with '+' ("R1+R2"), so that a line of one regimen keeps the id the source gave it.
with palliative_regimens as (
    select * from timeline.regimens
    where coalesce(is_palliative, false) and not is_bone_targeted_only
),

same_day_lines as (
    select
        patient_id,
        start_date,
        string_agg(regimen_id, '+' order by regimen_id) as regimen_id,
        list_sort(list(regimen_id)) as regimen_ids,
        case when bool_or(end_date is null) then null else max(end_date) end as end_date,
        'palliative' as intent,
        -- the reason recorded on the regimen that ended last; ties broken clinically (died first)
        arg_max(end_reason, (coalesce(end_date, date '9999-12-31'),
            -list_position(['died', 'progression', 'toxicity', 'patient_choice', 'other', 'completed', 'ongoing', 'unknown'], end_reason)))
            filter (where end_reason is not null) as end_reason,
        list_sort(list_distinct(flatten(list(drugs)))) as drugs,
        list_sort(list_distinct(flatten(list(chemotherapy_drugs)))) as chemotherapy_drugs,
        list_sort(list_distinct(flatten(list(unrecognised_drug_names)))) as unrecognised_drug_names,
        bool_or(has_endocrine) as has_endocrine,
        bool_or(has_aromatase_inhibitor) as has_aromatase_inhibitor,
        bool_or(has_tamoxifen) as has_tamoxifen,
        bool_or(has_gnrh_agonist) as has_gnrh_agonist,
        bool_or(has_chemotherapy) as has_chemotherapy,
        bool_or(has_anthracycline) as has_anthracycline,
        bool_or(has_trastuzumab) as has_trastuzumab,
        bool_or(has_anti_her2) as has_anti_her2,
        bool_or(has_cdk46_inhibitor) as has_cdk46_inhibitor,
        bool_or(has_targeted) as has_targeted,
        bool_or(has_bone_targeted) as has_bone_targeted,
        false as is_bone_targeted_only,
        bool_or(has_anticancer_drug) as has_anticancer_drug,
        -- the provider of the line's first regimen by id (never by row order)
        arg_min(provider_code, regimen_id) as provider_code,
        bool_or(in_clinical_trial) as in_clinical_trial,
        count(*) as regimen_count
    from palliative_regimens
    group by patient_id, start_date
),

lines as (
    select *, array_length(chemotherapy_drugs) as chemotherapy_drug_count
    from same_day_lines
    where has_anticancer_drug
),

final as (
    select
        *,
        row_number() over (partition by patient_id order by start_date) as line_number,
        case when has_chemotherapy then
            row_number() over (partition by patient_id, has_chemotherapy order by start_date)
        end as chemotherapy_line_number,
        case when has_endocrine then
            row_number() over (partition by patient_id, has_endocrine order by start_date)
        end as endocrine_line_number
    from lines
)

select * from final order by patient_id, line_number
