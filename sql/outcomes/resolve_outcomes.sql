-- Turns every rule's units (the table rule_units: each rule's rows shaped by
-- pipelines/rules/unit_contract.py, with its rule_id; rule_settings: each rule's needed tables) into
-- case outcomes with the eCQM precedence, in one pass for all rules:
--   1. a table the rule needs is absent, empty or wholly set aside, or the source cannot record what
--      the rule needs: insufficient_data;
--   2. clinical exclusions; 3. missing data that leaves population membership unknown;
--   4. the numerator met: adherent (a later death or decision does not undo care given);
--   5. death while the window was still open, unless the record already shows the deviation;
--   6. exceptions (documented decisions) only when the numerator is not met;
--   7. a window still open at the end of follow-up (the care may yet come: not judged early);
--   8. missing data about the numerator; 9. else non_adherent.
-- Every reason is `code: text`; the code becomes reason_code and the text the clinician's reason.
with units as (
    select * from rule_units
),

cohort as (
    select patient_id, icb_code, index_date, date_of_death from timeline.patient_cohort
),

follow_up as (
    select follow_up_end from timeline.follow_up
),

-- why no unit of a rule can be judged: a table it needs is not supplied, or (rule_settings) the source
-- cannot record what it needs (the national datasets' coverage, pipelines/ingest/national/coverage.csv)
tables_not_supplied as (
    select s.rule_id,
        case when bool_and(t.status = 'not_in_source') then 'not_in_source: ' else 'table_not_in_extract: ' end
        || string_agg(case t.status
            when 'not_in_source' then t.source_reason
            when 'absent' then 'no ' || replace(t.table_name, '_', ' ') || ' table in the extract'
            when 'empty' then 'the ' || replace(t.table_name, '_', ' ') || ' file in the extract is empty'
            else 'every row of the ' || replace(t.table_name, '_', ' ') || ' table was set aside by validation'
        end, '; ' order by t.table_name) as reason
    from rule_settings s
        join timeline.extract_tables t on list_contains(s.needs_tables, t.table_name)
    where t.status <> 'supplied'
    group by s.rule_id
    union all
    select rule_id, 'not_in_source: ' || source_gap_reason
    from rule_settings
    where source_gap_reason is not null
      and not exists (select 1 from rule_settings s join timeline.extract_tables t on list_contains(s.needs_tables, t.table_name)
                      where t.status <> 'supplied')
),

matched_decisions as (
    select
        u.rule_id,
        u.patient_id,
        u.unit_id,
        arg_min({'decision': d.decision, 'treatment': d.treatment, 'decision_date': d.decision_date},
                (d.decision_date, d.decision, d.treatment)) as decision
    from units u
        join cohort c using (patient_id)
        join timeline.treatment_decisions d
            on d.patient_id = u.patient_id
           and list_contains(u.exception_treatments, d.treatment)
           and d.decision_date >= coalesce(u.exception_window_start, c.index_date - $exception_days_before_index)
           and d.decision_date <= u.exception_window_end
    group by u.rule_id, u.patient_id, u.unit_id
),

judged as (
    select
        u.*,
        c.icb_code,
        c.index_date,
        m.decision,
        t.reason as tables_reason,
        -- the window was still open at death (a death on its last day closes it), and nothing the
        -- record shows before the death already decided the unit
        c.date_of_death < u.window_end
            and (u.deviation_date is null or u.deviation_date > c.date_of_death) as died_in_open_window,
        u.window_end > f.follow_up_end
            and (u.deviation_date is null or u.deviation_date > f.follow_up_end) as window_open_at_follow_up_end,
        c.date_of_death,
        f.follow_up_end
    from units u
        join cohort c using (patient_id)
        cross join follow_up f
        left join tables_not_supplied t using (rule_id)
        left join matched_decisions m using (rule_id, patient_id, unit_id)
),

resolved as (
    select
        *,
        case
            when tables_reason is not null then 'insufficient_data'
            when exclusion_reason is not null then 'excluded'
            when population_unknown_reason is not null then 'insufficient_data'
            when numerator_met then 'adherent'
            when died_in_open_window then 'excluded'
            when decision is not null then 'excluded'
            when window_open_at_follow_up_end then 'excluded'
            when numerator_met is null then 'insufficient_data'
            else 'non_adherent'
        end as outcome,
        case
            when tables_reason is not null then tables_reason
            when exclusion_reason is not null then exclusion_reason
            when population_unknown_reason is not null then population_unknown_reason
            when numerator_met then adherent_reason
            when died_in_open_window then 'died_before_window_closed: died on '
                || strftime(date_of_death, '%Y-%m-%d') || ', before the window closed on '
                || strftime(window_end, '%Y-%m-%d') || ', without the care recorded'
            when decision is not null then decision.decision || ': ' || case decision.decision
                    when 'declined_by_patient' then 'the patient declined '
                    when 'contraindicated' then 'contraindication to '
                    when 'clinical_trial' then 'in a clinical trial instead of '
                    else 'not suitable for '
                end || replace(decision.treatment, '_', ' ') || ' (decision recorded on '
                || strftime(decision.decision_date, '%Y-%m-%d') || ')'
            when window_open_at_follow_up_end then 'follow_up_incomplete: the window ends on '
                || strftime(window_end, '%Y-%m-%d') || ', after the last date of the extract ('
                || strftime(follow_up_end, '%Y-%m-%d') || '); not judged yet'
            when numerator_met is null then numerator_unknown_reason
            else non_adherent_reason
        end as coded_reason
    from judged
),

final as (
    select
        rule_id,
        patient_id,
        unit_id,
        provider_code,
        icb_code,
        quarter_label(unit_date) as period,
        index_date,
        unit_date,
        outcome,
        -- FHIR and eCQM report the two apart: a clinical exclusion, or a documented decision.
        case when outcome = 'excluded' then
            case when exclusion_reason is null and not coalesce(died_in_open_window, false)
                      and decision is not null then 'exception' else 'exclusion' end
        end as exclusion_kind,
        nullif(regexp_extract(coded_reason, '^([a-z0-9_]+): ', 1), '') as reason_code,
        regexp_replace(coded_reason, '^[a-z0-9_]+: ', '') as reason,
        evidence,  -- JSON text (pipelines/rules/unit_contract.py)
        window_end  -- the last day of the rule's window, if it has one (the review pack shades it)
    from resolved
)

-- unordered: every file written from it sorts (rule order, patient, unit); sorting ~17M rows of text
-- here as well would cost half a minute at 1M patients
select * from final
