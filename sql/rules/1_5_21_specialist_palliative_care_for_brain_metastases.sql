-- CG81 1.5.21: offer referral to specialist palliative care to patients for whom active treatment
-- for brain metastases would be inappropriate. Routine data do not record that judgement, so it
-- is inferred: no resection and no brain radiotherapy within N days of the first CNS event, or a
-- surgery or radiotherapy decision `not_suitable`. Unit: patient; the window counts from the event.
with cns_patients as (
    select t.*, b.* exclude (patient_id)
    from timeline.brain_metastases b
        join timeline.patient_timeline t using (patient_id)
),

not_suitable_decisions as (
    select c.patient_id, arg_min(d.treatment || ' not suitable on ' || strftime(d.decision_date, '%Y-%m-%d'),
        (d.decision_date, d.treatment)) as not_suitable_decision
    from cns_patients c
        join timeline.treatment_decisions d using (patient_id)
    where d.treatment in ('surgery', 'radiotherapy') and d.decision = 'not_suitable'
      and d.decision_date <= c.cns_event_date + $referral_within_days
    group by c.patient_id
),

referrals as (
    select c.patient_id, min(e.event_date) as referral_date
    from cns_patients c
        join validated.care_events e using (patient_id)
    where e.event_type = 'specialist_palliative_care_referral'
      and e.event_date between c.cns_event_date and c.cns_event_date + $referral_within_days
    group by c.patient_id
),

candidates as (
    select c.*, n.not_suitable_decision, r.referral_date,
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
        index_date as unit_date,
        provider_code,
        case when referral_date is null
            then died_before_window_closed(date_of_death, cns_event_date + $referral_within_days) end as exclusion_reason,
        null as population_unknown_reason,
        referral_date is not null as numerator_met,
        null as numerator_unknown_reason,
        'specialist palliative care referral on ' || strftime(referral_date, '%Y-%m-%d') as adherent_reason,
        'no specialist palliative care referral within ' || $referral_within_days || ' days of the CNS event on '
            || strftime(cns_event_date, '%Y-%m-%d') || ' ('
            || coalesce(not_suitable_decision, 'no brain surgery or radiotherapy') || ')' as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        cns_event_date + greatest($referral_within_days, $active_treatment_within_days) as window_end,
        {
            'cns_event_date': cns_event_date,
            'not_suitable_decision': not_suitable_decision,
            'first_resection_date': first_resection_date,
            'first_brain_radiotherapy_date': first_brain_radiotherapy_date,
            'referral_date': referral_date
        } as evidence
    from candidates
    where not had_active_treatment or not_suitable_decision is not null
)

select * from final
