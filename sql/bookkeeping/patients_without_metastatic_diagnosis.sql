-- Accepted patients and those of them with no accepted metastatic_diagnosis event: the same test as
-- the audited cohort (sql/timeline/patient_cohort.sql), here from the validated rows so that
-- `abc-audit validate`, which builds no timeline, gives the same count as `run`.
with patients as (
    select distinct patient_id from validated.patients
),

diagnosed as (
    select distinct patient_id from validated.disease_events where event_type = 'metastatic_diagnosis'
)

select
    count(*) as patients_accepted,
    count(*) filter (where d.patient_id is null) as patients_without_metastatic_diagnosis
from patients p
    left join diagnosed d using (patient_id)
