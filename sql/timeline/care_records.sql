-- The care the audit looks for, one row per record of a cohort patient: documented care events
-- (assessments, referrals, MDT discussions ...) and procedures (surgery, fixation ...), in one shape,
-- so that a rule asks for "this care" without caring which table recorded it.
with cohort as (
    select patient_id from timeline.patient_cohort
),

care_events as (
    select patient_id, event_date as care_date, event_type as care, 'care_event' as source
    from validated.care_events
),

procedures as (
    select patient_id, procedure_date, procedure, 'procedure'
    from validated.procedures
),

final as (
    select r.*
    from (select * from care_events union all select * from procedures) r
        join cohort c using (patient_id)
)

select * from final order by patient_id, care_date, care, source
