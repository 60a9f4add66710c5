-- Data completeness per table, field and provider (the patient's provider): the share of audited
-- rows in which the field is recorded (not empty and not `unknown`). Required fields are complete
-- by construction (rows missing them are quarantined); optional fields show where recording is weak.
-- The *_disclosed columns apply disclosure control ($suppress_min..$suppress_max hidden).
with providers as (
    select patient_id, provider_code as patient_provider_code from validated.patients
),

-- every field as text, empty when not recorded (unpivot drops NULLs)
patients as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.patients
),

disease_events as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.disease_events
),

pathology as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.pathology
),

systemic_therapy as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.systemic_therapy
),

radiotherapy as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.radiotherapy
),

imaging as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.imaging
),

procedures as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.procedures
),

care_events as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.care_events
),

treatment_decisions as (
    select patient_id, coalesce(columns(* exclude (source_row, patient_id))::varchar, '') from validated.treatment_decisions
),
cells as (
    select 'patients' as table_name, * from (unpivot patients on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'disease_events' as table_name, * from (unpivot disease_events on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'pathology' as table_name, * from (unpivot pathology on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'systemic_therapy' as table_name, * from (unpivot systemic_therapy on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'radiotherapy' as table_name, * from (unpivot radiotherapy on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'imaging' as table_name, * from (unpivot imaging on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'procedures' as table_name, * from (unpivot procedures on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'care_events' as table_name, * from (unpivot care_events on columns(* exclude (patient_id)) into name column_name value cell)
    union all
    select 'treatment_decisions' as table_name, * from (unpivot treatment_decisions on columns(* exclude (patient_id)) into name column_name value cell)
),

by_provider as (
    select
        c.table_name,
        c.column_name,
        unnest([coalesce(p.patient_provider_code, 'unknown'), 'all providers']) as provider_code,
        c.cell not in ('', 'unknown') as recorded
    from cells c
        left join providers p using (patient_id)
),

final as (
    select
        table_name,
        column_name,
        provider_code,
        count(*) as rows,
        count(*) filter (where recorded) as recorded,
        rounded_share(count(*) filter (where recorded), count(*)) as share_recorded
    from by_provider
    group by all
)

-- The dashboard is commissioner-facing: small counts, and the shares they would reveal, hidden;
-- other shares from the rounded counts (macro disclosed_share).
select
    *,
    disclosed_count(rows, $suppress_min, $suppress_max, $round_to) as rows_disclosed,
    disclosed_share(recorded, rows, $suppress_min, $suppress_max, $round_to) as share_recorded_disclosed
from final
order by table_name, column_name, provider_code
