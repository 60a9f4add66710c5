-- Patients whom quarantine took out of the cohort: a metastatic_diagnosis row was sent for them
-- (staged, i.e. as read) but none was accepted, because every such row, or the patient's own row,
-- was set aside. Rows naming a patient the extract never had are not a lost patient.
with sent as (
    select source_row, patient_id
    from staged.disease_events
    where event_type = 'metastatic_diagnosis' and patient_reference <> 'not_in_patients'
),

accepted as (
    select distinct d.patient_id
    from validated.disease_events d
        join validated.patients p using (patient_id)
    where d.event_type = 'metastatic_diagnosis'
),

lost_rows as (
    select s.source_row, s.patient_id
    from sent s
        left join accepted a using (patient_id)
    where a.patient_id is null
),

reasons as (
    select q.reason, count(distinct q.source_row) as rows
    from validated.quarantine q
        join lost_rows l using (source_row)
    where q.table_name = 'disease_events' and q.action = 'row_quarantined'
    group by q.reason
)

select
    (select count(distinct patient_id) from lost_rows) as patients_lost,
    (select count(*) from lost_rows) as rows_set_aside,
    (select reason from reasons order by rows desc, reason limit 1) as commonest_reason
