-- The last day the extract can show care (one row). Configured as the extract's date, or taken as
-- the latest date of any accepted row, or of a date the source vouches for beyond those rows (the
-- national registry's vital status date: bookkeeping.source_follow_up). Rules whose window ends after it are not judged early:
-- sql/outcomes/resolve_outcomes.sql excludes their unmet units as follow_up_incomplete.
with recorded_dates as (
    select max(event_date) as latest from validated.disease_events
    union all select max(sample_date) from validated.pathology
    union all select greatest(max(start_date), max(end_date)) from validated.systemic_therapy
    union all select max(start_date) from validated.radiotherapy
    union all select max(imaging_date) from validated.imaging
    union all select max(procedure_date) from validated.procedures
    union all select max(event_date) from validated.care_events
    union all select max(decision_date) from validated.treatment_decisions
    union all select max(date_of_death) from validated.patients
    union all select max(latest_date) from bookkeeping.source_follow_up
)

select
    coalesce(try_cast($follow_up_end as date), (select max(latest) from recorded_dates)) as follow_up_end,
    case when try_cast($follow_up_end as date) is not null then 'configured'
        else 'latest recorded date' end as basis
