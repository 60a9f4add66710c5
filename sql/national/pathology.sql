-- raw.pathology: the receptor status the registry holds for each mapped breast tumour (ER_STATUS,
-- PR_STATUS, HER2_STATUS: zerprstatus codes through codes/receptor_status.csv), as a primary specimen
-- on the diagnosis date. A tumour with none of the three recorded gives no row.
select
    b.source_row,
    trim(b.patientid) as patient_id,
    b.diagnosisdatebest as sample_date,
    'primary' as specimen_origin,
    er.er_pr_status as er_status,
    pr.er_pr_status as pr_status,
    her2.her2_status as her2_status
from national.breast_tumours b
    join national.row_dispositions d on d.table_name = 'sim_av_tumour' and d.source_row = b.source_row
    left join national_codes.receptor_status er on er.code = upper(trim(b.er_status))
    left join national_codes.receptor_status pr on pr.code = upper(trim(b.pr_status))
    left join national_codes.receptor_status her2 on her2.code = upper(trim(b.her2_status))
where d.disposition = 'mapped'
  and coalesce(nullif(trim(b.er_status), ''), nullif(trim(b.pr_status), ''), nullif(trim(b.her2_status), '')) is not null
order by b.source_row
