-- One reporting quarter's case outcomes (units whose unit date falls in $quarter), kept beside
-- the other quarters already materialised. Windows are evaluated on the whole extract first,
-- because a unit's window may end in the next quarter.
select o.*
from rules.case_outcomes o
    join rules.catalogue c using (rule_id)
where o.period = $quarter
order by c.rule_order, o.patient_id, o.unit_id
