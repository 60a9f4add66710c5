-- The registry's patients with a breast cancer (C50) tumour: the patients the national format audits.
-- Every other registry patient, and their SACT and RTDS rows, is outside the audit.
select distinct trim(p.patientid) as patient_id
from national.sim_av_patient p
    join national.breast_tumours t on trim(t.patientid) = trim(p.patientid)
