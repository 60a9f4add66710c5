-- Palliative lines of therapy: palliative regimens with an anticancer drug, numbered by start
-- date; chemotherapy lines number only the regimens that contain a chemotherapy drug.
with lines as (
    select * from timeline.regimens where is_line_of_therapy
),

final as (
    select
        *,
        row_number() over (partition by patient_id order by start_date, regimen_id) as line_number,
        case when has_chemotherapy then
            row_number() over (partition by patient_id, has_chemotherapy order by start_date, regimen_id)
        end as chemotherapy_line_number,
        case when has_endocrine then
            row_number() over (partition by patient_id, has_endocrine order by start_date, regimen_id)
        end as endocrine_line_number
    from lines
)

select * from final order by patient_id, line_number
