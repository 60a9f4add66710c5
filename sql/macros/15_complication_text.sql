-- Plain-English pieces of the reasons of the complication rules anchored on a clinical event
-- (sql/rule_templates/care_after_trigger.sql: 1.5.8-1.5.13, 1.5.17, 1.5.20). Loaded after 12_reason_text.sql,
-- whose days_from_anchor_text they use.

-- A care event or procedure that meets a complication rule, as a clinician would write it.
create or replace temp macro complication_care_name(care) as
    case care
        when 'fatigue_assessment' then 'fatigue assessment'
        when 'fatigue_information_given' then 'written information about cancer-related fatigue'
        when 'exercise_programme_referral' then 'referral to an exercise programme'
        when 'mdt_discussion' then 'multidisciplinary team (MDT) discussion'
        when 'wound_care_review' then 'wound care team review'
        when 'palliative_care_assessment' then 'palliative care team assessment'
        when 'orthopaedic_assessment' then 'orthopaedic assessment'
        when 'prophylactic_fixation' then 'prophylactic fixation'
        when 'rehabilitation_referral' then 'referral for rehabilitation'
        when 'specialist_palliative_care_referral' then 'referral to specialist palliative care'
        else replace(care, '_', ' ')
    end;

-- The event that starts the window, as a clause with its date: 'significant fatigue was reported
-- (2024-03-20)'. recorded_as lists what was recorded on that date (timeline.clinical_triggers): for
-- brain metastasis treatment, the surgery, the whole brain radiotherapy or both.
create or replace temp macro complication_trigger_text(trigger, trigger_date, recorded_as) as
    case trigger
        when 'significant_fatigue' then 'significant fatigue was reported'
        when 'uncontrolled_local_disease' then 'uncontrolled local disease was first recorded'
        when 'fungating_tumour' then 'a fungating tumour was first recorded'
        when 'long_bone_fracture_risk' then 'a risk of long-bone fracture was first recorded'
        when 'brain_metastasis_treatment' then case
            when list_contains(recorded_as, 'brain_metastasis_resection') and list_contains(recorded_as, 'brain_whole')
                then 'brain metastasis surgery and the start of whole brain radiotherapy'
            when list_contains(recorded_as, 'brain_metastasis_resection') then 'brain metastasis surgery'
            else 'the start of whole brain radiotherapy'
        end
        else replace(trigger, '_', ' ') || ' was first recorded'
    end || ' (' || strftime(trigger_date, '%Y-%m-%d') || ')';

-- A window around that event, in words: 'within 30 days after significant fatigue was reported
-- (2024-03-20)', 'within 14 days before to 30 days after uncontrolled local disease was first
-- recorded (2024-06-09)'.
create or replace temp macro complication_window_text(start_days, end_days, trigger_text) as
    'within ' || case when start_days = 0 then '' else days_from_anchor_text(start_days) || ' to ' end
        || days_from_anchor_text(end_days) || ' ' || trigger_text;
