-- One reporting quarter's measures (national, ICB and provider), from the measures computed over
-- the whole extract, so a quarter's figures are the same whether audited alone or with the rest.
select m.*
from measures.measures m
    join rules.catalogue c using (rule_id)
where m.period = $quarter
order by c.rule_order, list_position(['national', 'icb', 'provider'], m.level), m."group"
