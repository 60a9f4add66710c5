-- The SACT regimens the audit reads (mapped rows only: one per MERGED_REGIMEN_ID), with their patient,
-- intent, clinical trial flag, outcome and the dates their drugs were first and last given.
with regimens as (
    select r.*, trim(r.merged_regimen_id) as regimen_id
    from national.sim_sact_regimen r
        join national.row_dispositions d on d.table_name = 'sim_sact_regimen' and d.source_row = r.source_row
    where d.disposition = 'mapped'
),

outcomes as (
    select trim(o.merged_regimen_id) as regimen_id,
        arg_min(o, o.source_row) as outcome
    from national.sim_sact_outcome o
        join national.row_dispositions d on d.table_name = 'sim_sact_outcome' and d.source_row = o.source_row
    where d.disposition = 'mapped'
    group by all
),

given as (
    select regimen_id, min(given_on) as first_given, max(given_on) as last_given
    from national.sact_administrations
    group by all
)

select
    r.source_row,
    r.regimen_id,
    trim(r.encore_patient_id) as patient_id,
    r.start_date_of_regimen,
    nullif(trim(r.benchmark_group), '') as benchmark_group,
    nullif(trim(r.mapped_regimen), '') as mapped_regimen,
    i.intent,
    t.clinical_trial,
    o.outcome.date_of_final_treatment as date_of_final_treatment,
    e.end_reason,
    e.progression = 'true' as ended_by_progression,
    g.first_given,
    g.last_given
from regimens r
    left join national_codes.regimen_intent i on i.code = upper(trim(r.intent_of_treatment))
    left join national_codes.clinical_trial t on t.code = upper(trim(r.clinical_trial))
    left join outcomes o using (regimen_id)
    left join national_codes.regimen_outcome e on e.code = trim(o.outcome.regimen_outcome_summary)
    left join given g using (regimen_id)
