-- CG81 1.3.1: offer endocrine therapy as first-line treatment for the majority of patients with
-- ER-positive advanced breast cancer. Unit: patient. The first line is the same-day-grouped line
-- (timeline.lines_of_therapy): a palbociclib regimen and a letrozole regimen started one day are
-- one first line with endocrine therapy. A first line given decides the unit (no window); without
-- one, the 180 days after the diagnosis are the window. Where the source does not record every oral
-- drug (SACT: timeline.oral_endocrine_therapy_recorded false), a first line with no endocrine drug
-- recorded may have had one: insufficient_data, never non_adherent.
with patients as (
    select * from timeline.patient_timeline where er_status in ('positive', 'unknown')
),

ovarian_procedures as (
    select patient_id, source, detail, start_date from timeline.ovarian_suppression where source = 'procedure'
),

-- a palliative regimen in the window whose drug names are all unrecognised is no line, but it may
-- have been the first line: the reason says so
unrecognised_regimens as (
    select
        r.patient_id,
        arg_min(started_with_drugs_text(r.start_date, r.unrecognised_drug_names), (r.start_date, r.regimen_id))
            as first_unrecognised_regimen
    from timeline.regimens r
        join patients p using (patient_id)
    where coalesce(r.is_palliative, false)
      and not r.has_anticancer_drug
      and array_length(r.unrecognised_drug_names) > 0
      and r.start_date <= p.index_date + $first_line_within_days
    group by r.patient_id
),

first_lines as (
    select
        p.*,
        coalesce(p.first_line_start_date <= p.index_date + $first_line_within_days, false) as has_first_line_in_window,
        (select arg_min(ovarian_suppression_text(o.source, o.detail, o.start_date), (o.start_date, o.detail))
         from ovarian_procedures o
         where o.patient_id = p.patient_id
           and o.start_date between p.index_date - $ovarian_procedure_days_before_index
                                and p.first_line_start_date + $ovarian_procedure_days_after_first_line
        ) as ovarian_procedure,
        u.first_unrecognised_regimen,
        p.index_date + $first_line_within_days as window_last_day,
        'first-line regimen ' || started_with_drugs_text(p.first_line_start_date, p.first_line_drugs) as line_text
    from patients p
        left join unrecognised_regimens u using (patient_id)
),

judged as (
    select
        *,
        case
            when not has_first_line_in_window then null
            when first_line_has_endocrine or first_line_has_gnrh_agonist or ovarian_procedure is not null then true
            -- an unrecognised name beside the recognised drugs may be the endocrine drug
            when array_length(first_line_unrecognised_drug_names) > 0 then null
            when endocrine_therapy_may_be_unrecorded then null
            else false
        end as endocrine_given,
        $exclude_her2_directed_first_line and coalesce(first_line_has_anti_her2, false) as her2_directed_first_line
    from first_lines
),

final as (
    select
        patient_id,
        patient_id as unit_id,
        index_date as unit_date,
        provider_code,
        case
            when has_visceral_crisis_at_index
                then 'visceral_crisis_at_index: visceral crisis was recorded at ' || advanced_diagnosis_text(index_date)
                     || '; first-line chemotherapy is recommended instead (1.3.2)'
            when her2_directed_first_line and her2_status = 'positive'
                then 'her2_directed_first_line: HER2-positive disease at ' || advanced_diagnosis_text(index_date)
                     || ', and the ' || line_text || ' contains anti-HER2 therapy; HER2-directed first-line '
                     || 'treatment follows NICE technology appraisals published after CG81'
            -- measures.md lists this death as an exclusion of 1.3.1: it comes before an unknown ER
            -- status (either way the patient could never be in the denominator). A death on the
            -- window's last day closes the window, as the shared rule says.
            when not has_first_line_in_window and date_of_death < window_last_day
                then 'died_without_first_line: died on ' || strftime(date_of_death, '%Y-%m-%d') || ', '
                     || days_from_anchor_text(datediff('day', index_date, date_of_death)) || ' '
                     || advanced_diagnosis_text(index_date) || ', before any first-line treatment was started'
        end as exclusion_reason,
        case
            when er_status = 'unknown' then er_status_unknown_reason(index_date)
            when her2_directed_first_line and her2_status in ('unknown', 'borderline')
                then 'her2_status_unknown: the ' || line_text || ' contains anti-HER2 therapy, but HER2 status at '
                     || advanced_diagnosis_text(index_date) || ' is '
                     || case her2_status when 'borderline' then 'borderline' else 'not known' end
                     || ': whether it is HER2-directed treatment of HER2-positive disease (excluded) is not known'
        end as population_unknown_reason,
        endocrine_given as numerator_met,
        case
            when has_first_line_in_window and array_length(first_line_unrecognised_drug_names) = 0
                then 'endocrine_therapy_may_be_unrecorded: the ' || line_text || ' contains no recorded endocrine '
                     || 'therapy, but the source does not record every oral drug (SACT often lacks oral endocrine '
                     || 'therapy): whether endocrine therapy was given is not known'
            when has_first_line_in_window
                then 'unrecognised_drug_names: the ' || line_text || ' contains no recognised endocrine therapy and '
                     || unrecognised_names_text(first_line_unrecognised_drug_names)
                     || ': whether it contains endocrine therapy cannot be confirmed'
            when first_unrecognised_regimen is not null
                then 'unrecognised_drug_names: no recognised first-line treatment started within '
                     || $first_line_within_days || ' days after ' || advanced_diagnosis_text(index_date)
                     || '; a palliative regimen ' || first_unrecognised_regimen
                     || ' holds only drug names the audit does not recognise'
            else 'no_first_line_within_window: no first-line palliative treatment started within '
                || $first_line_within_days || ' days after ' || advanced_diagnosis_text(index_date)
                || coalesce('; the first line ' || started_with_drugs_text(first_line_start_date, first_line_drugs), '')
        end as numerator_unknown_reason,
        case
            when first_line_has_endocrine then 'endocrine_first_line: the ' || line_text || ' contains endocrine therapy'
            when first_line_has_gnrh_agonist
                then 'ovarian_suppression_first_line: the ' || line_text || ' contains ovarian suppression'
            else 'ovarian_suppression_first_line: the ' || line_text || ', with ovarian suppression ('
                || ovarian_procedure || ')'
        end as adherent_reason,
        'no_endocrine_first_line: the ' || line_text || ' contains no endocrine therapy or ovarian suppression'
            as non_adherent_reason,
        ['endocrine_therapy'] as exception_treatments,
        window_last_day as exception_window_end,
        case when not has_first_line_in_window then window_last_day end as window_end,
        {
            'er_status': er_status,
            'her2_status': her2_status,
            'first_line_regimen_id': first_line_regimen_id,
            'first_line_start_date': first_line_start_date,
            'first_line_drugs': first_line_drugs,
            'first_line_unrecognised_drug_names': first_line_unrecognised_drug_names,
            'ovarian_suppression_procedure': ovarian_procedure,
            'visceral_crisis_at_index': has_visceral_crisis_at_index
        } as evidence
    from judged
)

select * from final
