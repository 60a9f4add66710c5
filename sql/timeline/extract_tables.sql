-- Which tables the extract supplied with usable rows. An optional table that is absent, empty or
-- wholly set aside by validation is not evidence that nothing happened (measures.md): the rules
-- that need it say insufficient_data, naming the table (sql/outcomes/resolve_outcomes.sql). A table
-- the source cannot hold at all (the national datasets hold no imaging: bookkeeping.source_gaps) is
-- `not_in_source`, with the source's reason.
with supplied_files as (
    select table_name, file_name, rows_parsed from bookkeeping.input_files
),

accepted_rows as (
    select 'patients' as table_name, count(*) as rows_accepted from validated.patients
    union all select 'disease_events', count(*) from validated.disease_events
    union all select 'pathology', count(*) from validated.pathology
    union all select 'systemic_therapy', count(*) from validated.systemic_therapy
    union all select 'radiotherapy', count(*) from validated.radiotherapy
    union all select 'imaging', count(*) from validated.imaging
    union all select 'procedures', count(*) from validated.procedures
    union all select 'care_events', count(*) from validated.care_events
    union all select 'treatment_decisions', count(*) from validated.treatment_decisions
),

final as (
    select
        a.table_name,
        f.file_name,
        a.rows_accepted,
        case
            when g.reason is not null then 'not_in_source'
            when f.file_name is null then 'absent'
            when coalesce(f.rows_parsed, 0) = 0 then 'empty'
            when a.rows_accepted = 0 then 'all_quarantined'
            else 'supplied'
        end as status,
        g.reason as source_reason
    from accepted_rows a
        left join supplied_files f using (table_name)
        left join bookkeeping.source_gaps g using (table_name)
)

select * from final order by table_name
