-- The commonest reasons rows were set aside, over every table, each row counted once per reason.
select table_name, reason, count(distinct coalesce(source_row, -source_line)) as rows
from validated.quarantine
where action = 'row_quarantined'
group by table_name, reason
order by rows desc, table_name, reason
limit $reasons_shown
