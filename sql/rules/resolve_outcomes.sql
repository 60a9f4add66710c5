-- Turns a rule's units (the view rule_units, produced by the rule's own SQL file) into case
-- outcomes with the eCQM precedence: clinical exclusions first; then missing data that leaves
-- population membership unknown; then the numerator; exceptions (documented decisions) only when
-- the numerator is not met; then a window still open at the end of follow-up (the care may yet
-- come: excluded, not judged early); then missing data about the numerator; else non-adherent.
with units as (
    select * from rule_units
),

cohort as (
    select patient_id, icb_code, index_date from timeline.patient_cohort
),

follow_up as (
    select follow_up_end from timeline.follow_up
),

matched_decisions as (
    select
        u.patient_id,
        u.unit_id,
        arg_min({'decision': d.decision, 'treatment': d.treatment, 'decision_date': d.decision_date},
                (d.decision_date, d.decision, d.treatment)) as decision
    from units u
        join timeline.treatment_decisions d
            on d.patient_id = u.patient_id
           and list_contains(u.exception_treatments, d.treatment)
           and d.decision_date <= u.exception_window_end
    group by u.patient_id, u.unit_id
),

resolved as (
    select
        u.*,
        c.icb_code,
        c.index_date,
        m.decision,
        case
            when u.exclusion_reason is not null then 'excluded'
            when u.population_unknown_reason is not null then 'insufficient_data'
            when u.numerator_met then 'adherent'
            when m.decision is not null then 'excluded'
            when u.window_end > f.follow_up_end then 'excluded'
            when u.numerator_met is null then 'insufficient_data'
            else 'non_adherent'
        end as outcome,
        case when u.window_end > f.follow_up_end
            then 'follow_up_incomplete: the window ends on ' || strftime(u.window_end, '%Y-%m-%d')
                || ', after the last date of the extract (' || strftime(f.follow_up_end, '%Y-%m-%d') || ')'
        end as follow_up_reason
    from units u
        join cohort c using (patient_id)
        cross join follow_up f
        left join matched_decisions m using (patient_id, unit_id)
),

final as (
    select
        $rule_id as rule_id,
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
            case when exclusion_reason is not null or decision is null then 'exclusion' else 'exception' end
        end as exclusion_kind,
        case outcome
            when 'excluded' then coalesce(
                exclusion_reason,
                decision.decision || ': ' || replace(decision.treatment, '_', ' ')
                    || ' decision on ' || strftime(decision.decision_date, '%Y-%m-%d'),
                follow_up_reason)
            when 'insufficient_data' then coalesce(population_unknown_reason, numerator_unknown_reason)
            when 'adherent' then adherent_reason
            else non_adherent_reason
        end as reason,
        to_json(evidence)::varchar as evidence
    from resolved
)

select * from final order by patient_id, unit_id
