-- The audited cohort: one row per patient with a metastatic_diagnosis event. The index date is
-- the first such event; patients without one are outside the audit (reported as a finding).
with patients as (
    select * from validated.patients
),

metastatic_diagnoses as (
    select * from validated.disease_events where event_type = 'metastatic_diagnosis'
),

index_dates as (
    select patient_id, min(event_date) as index_date
    from metastatic_diagnoses
    group by patient_id
),

index_events as (
    -- several events can share the index date: combine what they record
    select m.patient_id, bool_or(m.de_novo) as de_novo
    from metastatic_diagnoses m
        join index_dates i on i.patient_id = m.patient_id and m.event_date = i.index_date
    group by m.patient_id
),

earlier_early_diagnoses as (
    select distinct e.patient_id
    from validated.disease_events e
        join index_dates i using (patient_id)
    where e.event_type = 'early_diagnosis' and e.event_date < i.index_date
),

final as (
    select
        p.patient_id,
        p.sex,
        p.birth_year,
        p.provider_code,
        p.icb_code,
        p.date_of_death,
        i.index_date,
        quarter_label(i.index_date) as index_period,
        year(i.index_date) - p.birth_year as age_at_index,
        e.de_novo,
        -- recurrence: recorded as not de novo, or (when unrecorded) early breast cancer came first
        case
            when e.de_novo is not null then not e.de_novo
            when x.patient_id is not null then true
        end as is_recurrence
    from patients p
        join index_dates i using (patient_id)
        left join index_events e using (patient_id)
        left join earlier_early_diagnoses x using (patient_id)
)

select * from final order by patient_id
