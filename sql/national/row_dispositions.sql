-- Every row of every national table and what became of it: `mapped` (it feeds the audit's tables,
-- where validation may still set it aside, e.g. a SACT regimen of a patient the registry does not
-- hold), `outside_audit` or `set_aside`, with the reason. The manifest counts them per table.
with registry as (
    select trim(patientid) as patient_id from national.sim_av_patient
    union
    select trim(patientid) from national.sim_av_tumour
),

audited as (
    select patient_id from national.audit_patients
),

-- a patient the registry holds without a breast tumour is outside the audit; one it does not hold
-- at all is passed on, and validation quarantines the row as an orphan
patient_scope as (
    select patient_id, patient_id in (select patient_id from audited) as audited from registry
),

regimens as (
    select r.source_row, trim(r.merged_regimen_id) as regimen_id, coalesce(s.audited, true) as audited,
        row_number() over (partition by trim(r.merged_regimen_id) order by r.source_row) > 1 as repeated
    from national.sim_sact_regimen r
        left join patient_scope s on s.patient_id = trim(r.encore_patient_id)
),

regimen_scope as (
    select regimen_id, audited from regimens where not repeated
),

prescriptions as (
    select p.source_row, trim(p.prescriptionid) as prescription_id, coalesce(s.audited, true) as audited
    from national.sim_rtds_prescription p
        left join patient_scope s on s.patient_id = trim(p.patientid)
),

prescription_scope as (
    select prescription_id, bool_or(audited) as audited from prescriptions group by prescription_id
),

no_breast_tumour as (
    select 'the patient has no breast cancer (C50) tumour in sim_av_tumour' as reason
),

rows as (
    select 'sim_av_patient' as table_name, p.source_row,
        case when s.audited then 'mapped' else 'outside_audit' end as disposition,
        case
            when nullif(trim(p.patientid), '') is null then 'PATIENTID is empty'
            when not s.audited then (select reason from no_breast_tumour)
        end as reason
    from national.sim_av_patient p
        left join patient_scope s on s.patient_id = trim(p.patientid)

    union all
    select 'sim_av_tumour', t.source_row,
        case when b.source_row is null or b.metastatic_at_diagnosis is null then 'outside_audit' else 'mapped' end,
        case
            when b.source_row is null then 'not a breast cancer tumour (its ICD-10 site is not C50, or not recorded)'
            when b.metastatic_at_diagnosis is null then 'a breast cancer whose stage at diagnosis (M_BEST, STAGE_BEST) '
                || 'is not recorded: whether it was metastatic is not known'
        end
    from national.sim_av_tumour t
        left join national.breast_tumours b using (source_row)

    union all
    select 'sim_sact_regimen', source_row,
        case when repeated then 'set_aside' when audited then 'mapped' else 'outside_audit' end,
        case
            when repeated then 'its MERGED_REGIMEN_ID repeats an earlier row''s (the first row is used)'
            when not audited then (select reason from no_breast_tumour)
        end
    from regimens

    union all
    select 'sim_sact_cycle', c.source_row,
        case when s.regimen_id is null then 'set_aside' when s.audited then 'mapped' else 'outside_audit' end,
        case
            when s.regimen_id is null then 'its MERGED_REGIMEN_ID is not in sim_sact_regimen'
            when not s.audited then (select reason from no_breast_tumour)
        end
    from national.sim_sact_cycle c
        left join regimen_scope s on s.regimen_id = trim(c.merged_regimen_id)

    union all
    select 'sim_sact_drug_detail', a.source_row,
        case
            when s.regimen_id is null then 'set_aside'
            when not s.audited or a.not_a_drug then 'outside_audit'
            when a.drug_group is null or (a.given_on_text is not null and a.given_on is null) then 'set_aside'
            else 'mapped'
        end,
        case
            when a.regimen_id is null then 'its MERGED_CYCLE_ID is not in sim_sact_cycle, so its regimen is not known'
            when s.regimen_id is null then 'its regimen is not in sim_sact_regimen'
            when not s.audited then (select reason from no_breast_tumour)
            when a.not_a_drug then 'DRUG_GROUP ' || a.drug_group || ' is not a cancer drug (national/codes/drug_groups_not_drugs.csv)'
            when a.drug_group is null then 'DRUG_GROUP is empty'
            when a.given_on_text is not null and a.given_on is null
                then 'ADMINISTRATION_DATE is not a real date in an accepted form'
        end
    from national.sact_administrations a
        left join regimen_scope s on s.regimen_id = a.regimen_id

    union all
    select 'sim_sact_outcome', o.source_row,
        case when s.regimen_id is null then 'set_aside' when s.audited then 'mapped' else 'outside_audit' end,
        case
            when s.regimen_id is null then 'its MERGED_REGIMEN_ID is not in sim_sact_regimen'
            when not s.audited then (select reason from no_breast_tumour)
        end
    from national.sim_sact_outcome o
        left join regimen_scope s on s.regimen_id = trim(o.merged_regimen_id)

    union all
    select 'sim_rtds_prescription', source_row,
        case when audited then 'mapped' else 'outside_audit' end,
        case when not audited then (select reason from no_breast_tumour) end
    from prescriptions

    union all
    select 'sim_rtds_episode', e.source_row,
        case when coalesce(s.audited, true) then 'mapped' else 'outside_audit' end,
        case when not coalesce(s.audited, true) then (select reason from no_breast_tumour) end
    from national.sim_rtds_episode e
        left join patient_scope s on s.patient_id = trim(e.patientid)

    union all
    select 'sim_rtds_exposure', x.source_row,
        case when s.prescription_id is null then 'set_aside' when s.audited then 'mapped' else 'outside_audit' end,
        case
            when s.prescription_id is null then 'its PRESCRIPTIONID is not in sim_rtds_prescription'
            when not s.audited then (select reason from no_breast_tumour)
        end
    from national.sim_rtds_exposure x
        left join prescription_scope s on s.prescription_id = trim(x.prescriptionid)
)

select * from rows
