-- CG81 1.5.21: offer referral to specialist palliative care to patients for whom active treatment
-- for brain metastases would be inappropriate. Routine data do not record that judgement, so it
-- is inferred (measures.md): no resection and no brain radiotherapy within
-- $active_treatment_within_days days of the first CNS event, or a surgery or radiotherapy decision
-- `not_suitable` dated from the event - $decision_days_before_event days to the end of that window.
-- Unit: patient; the first CNS event sets the reporting period and the window. Deaths are judged
-- in resolve_outcomes.sql from window_end.
with cns_patients as (
    select t.patient_id, t.index_date, t.provider_code, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
),

not_suitable_decisions as (
    select c.patient_id,
        arg_min(brain_decision_text(d.treatment, d.decision, d.decision_date), (d.decision_date, d.treatment))
            as not_suitable_decision
    from cns_patients c
        join timeline.treatment_decisions d using (patient_id)
    where d.treatment in ('surgery', 'radiotherapy') and d.decision = 'not_suitable'
      and d.decision_date between c.cns_event_date - $decision_days_before_event
                              and c.cns_event_date + $active_treatment_within_days
    group by c.patient_id
),

-- referrals from the event on count; the latest one before it is named in the reason
referrals as (
    select c.patient_id,
        min(e.care_date) filter (where e.care_date between c.cns_event_date
                                                       and c.cns_event_date + $referral_within_days)
            as referral_date,
        max(e.care_date) filter (where e.care_date < c.cns_event_date) as referral_before_event_date
    from cns_patients c
        join timeline.care_records e using (patient_id)
    where e.source = 'care_event' and e.care = 'specialist_palliative_care_referral'
    group by c.patient_id
),

candidates as (
    select c.*, n.not_suitable_decision, r.referral_date, r.referral_before_event_date,
        coalesce(c.first_resection_date <= c.cns_event_date + $active_treatment_within_days, false)
            or coalesce(c.first_brain_radiotherapy_date <= c.cns_event_date + $active_treatment_within_days, false)
            as had_active_treatment
    from cns_patients c
        left join not_suitable_decisions n using (patient_id)
        left join referrals r using (patient_id)
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        cns_event_date as unit_date,
        provider_code,
        referral_date is not null as numerator_met,
        'specialist_palliative_care_referral: referred to specialist palliative care on '
            || strftime(referral_date, '%Y-%m-%d') || ', ' || brain_event_relative_text(referral_date, cns_event_date)
            as adherent_reason,
        'no_specialist_palliative_care_referral: no referral to specialist palliative care '
            || brain_event_window_text(cns_event_date, $referral_within_days)
            || coalesce(' (a referral on ' || strftime(referral_before_event_date, '%Y-%m-%d')
                || ', before brain metastases were found, does not count)', '')
            || '; active treatment looked inappropriate: '
            || coalesce(not_suitable_decision, 'no brain surgery and no brain radiotherapy within '
                || $active_treatment_within_days || ' days') as non_adherent_reason,
        -- the population needs the whole active-treatment window as well as the referral window
        cns_event_date + greatest($referral_within_days, $active_treatment_within_days) as window_end,
        {
            'cns_event_date': cns_event_date,
            'not_suitable_decision': not_suitable_decision,
            'first_resection_date': first_resection_date,
            'first_brain_radiotherapy_date': first_brain_radiotherapy_date,
            'referral_date': referral_date,
            'referral_before_event_date': referral_before_event_date
        } as evidence
    from candidates
    where not had_active_treatment or not_suitable_decision is not null
)

select * from final
