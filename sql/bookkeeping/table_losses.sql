-- Per contract table: rows read, accepted, set aside by validation and rejected by the CSV reader,
-- with the share lost and the commonest reason. rows_quarantined in row_reconciliation already
-- counts the reader's rejects (read = accepted + quarantined), so validation's own share is the
-- difference: the summary shows the two apart, a sender fixes them differently.
with files as (
    select table_name, file_name from bookkeeping.input_files
),

reconciliation as (
    select table_name, rows_read, rows_accepted, rows_quarantined, rows_rejected_by_parser
    from bookkeeping.row_reconciliation
),

rows_per_reason as (
    -- a row can fail several checks: each reason counts the row once
    select table_name, reason, count(distinct coalesce(source_row, -source_line)) as rows
    from validated.quarantine
    where action = 'row_quarantined'
    group by table_name, reason
),

commonest as (
    -- ties broken by the reason's text, never by chance
    select table_name, reason as commonest_reason, rows as commonest_reason_rows
    from rows_per_reason
    qualify row_number() over (partition by table_name order by rows desc, reason) = 1
),

final as (
    select
        r.table_name,
        f.file_name,
        r.rows_read,
        r.rows_accepted,
        r.rows_quarantined - r.rows_rejected_by_parser as rows_quarantined,
        r.rows_rejected_by_parser,
        r.rows_quarantined as rows_set_aside,
        case when r.rows_read > 0 then r.rows_quarantined / r.rows_read end as share_set_aside,
        c.commonest_reason,
        c.commonest_reason_rows
    from reconciliation r
        left join files f using (table_name)
        left join commonest c using (table_name)
)

select * from final order by list_position($table_order::varchar[], table_name), table_name
