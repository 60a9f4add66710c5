-- Pieces of the coded reasons of the endocrine and first-line rules (CG81 1.3.1-1.3.7), in the
-- words of measures.md "Reasons a clinician can read": lines named by their start and drugs,
-- population facts said as the notes would say them. Each `*_reason` macro returns `code: text`.

-- A line of therapy by its start date and its drugs: 'started 2024-03-15 (letrozole, palbociclib)'.
create or replace temp macro started_with_drugs_text(start_date, drugs) as
    'started ' || strftime(start_date, '%Y-%m-%d') || ' (' || array_to_string(drugs, ', ') || ')';

-- Recorded drug names the value set does not know, for a reason that cannot be decided without them.
create or replace temp macro unrecognised_names_text(names) as
    'also holds drug names the audit does not recognise (' || array_to_string(names, ', ') || ')';

-- The diagnosis of advanced disease, as the reasons name the index date.
create or replace temp macro advanced_diagnosis_text(index_date) as
    'the diagnosis of advanced disease (' || strftime(index_date, '%Y-%m-%d') || ')';

create or replace temp macro er_status_unknown_reason(index_date) as
    'er_status_unknown: ER status at ' || advanced_diagnosis_text(index_date)
    || ' is not known (no ER result recorded for it)';

create or replace temp macro sex_unknown_reason() as
    'sex_unknown: the patient''s sex is not recorded';

create or replace temp macro menopausal_status_unknown_reason(index_date) as
    'menopausal_status_unknown: menopausal status at ' || advanced_diagnosis_text(index_date)
    || ' is not recorded';

-- timeline.prior_endocrine_therapy.prior_endocrine_unknown: a recurrence with no endocrine drug
-- recorded before it, in an extract whose earlier treatment history is partial.
create or replace temp macro prior_endocrine_unknown_reason(index_date) as
    'prior_endocrine_unknown: endocrine therapy before the recurrence is not known: no endocrine drug is '
    || 'recorded before ' || advanced_diagnosis_text(index_date) || ', and this extract does not hold '
    || 'the complete treatment history before it (oral or adjuvant therapy may be missing)';

-- An ovarian suppression episode (timeline.ovarian_suppression) as a clinician writes it:
-- 'goserelin from 2024-03-15', 'oophorectomy on 2023-11-02'.
create or replace temp macro ovarian_suppression_text(source, detail, start_date) as
    replace(detail, '_', ' ') || case when source = 'procedure' then ' on ' else ' from ' end
    || strftime(start_date, '%Y-%m-%d');
