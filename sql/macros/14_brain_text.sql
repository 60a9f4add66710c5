-- Pieces of the plain-English reasons of the brain metastasis rules (1.5.18, 1.5.19, 1.5.21),
-- anchored on the first CNS event ("brain metastases were found"), as measures.md "Reasons a
-- clinician can read" asks: dates and windows in words, never field names or day arithmetic.

-- A date relative to the first CNS event: '20 days after brain metastases were found (2024-04-12)',
-- 'on the day brain metastases were found (2024-04-12)', '3 days before ...'.
create or replace temp macro brain_event_relative_text(on_date, cns_event_date) as
    case when on_date = cns_event_date then 'on the day brain metastases were found'
        else abs(datediff('day', cns_event_date, on_date))::varchar
            || case when abs(datediff('day', cns_event_date, on_date)) = 1 then ' day ' else ' days ' end
            || case when on_date < cns_event_date then 'before' else 'after' end
            || ' brain metastases were found'
    end || ' (' || strftime(cns_event_date, '%Y-%m-%d') || ')';

-- The window from the first CNS event: 'within 60 days after brain metastases were found (2024-04-12)'.
create or replace temp macro brain_event_window_text(cns_event_date, days) as
    'within ' || days::varchar || case when days = 1 then ' day' else ' days' end
        || ' after brain metastases were found (' || strftime(cns_event_date, '%Y-%m-%d') || ')';

-- A brain radiotherapy course as a clinician names it: stereotactic (whatever site it records),
-- partial-brain, or whole brain.
create or replace temp macro brain_radiotherapy_name(site, technique) as
    case
        when technique = 'stereotactic' then 'stereotactic radiotherapy to the brain'
        when site = 'brain_partial' then 'radiotherapy to part of the brain'
        else 'whole brain radiotherapy'
    end;

-- A surgery or radiotherapy decision in words: 'surgery declined by the patient on 2024-04-20'.
create or replace temp macro brain_decision_text(treatment, decision, decision_date) as
    treatment || ' ' || case decision
        when 'declined_by_patient' then 'declined by the patient'
        when 'contraindicated' then 'contraindicated'
        when 'clinical_trial' then 'replaced by a clinical trial'
        else 'judged not suitable'
    end || ' on ' || strftime(decision_date, '%Y-%m-%d');
