-- CG81 1.3.10: for patients not suitable for anthracyclines, chemotherapy in sequence: first
-- single-agent docetaxel (or gemcitabine + paclitaxel where 1.3.11 would accept it, so not once
-- docetaxel is contraindicated), second single-agent vinorelbine or capecitabine, third the other
-- of the two. Unit: patient; judged on the palliative chemotherapy lines (same-day regimens grouped)
-- observed after the point of unsuitability (up to three), numbered in
-- timeline.chemotherapy_lines_after_anthracycline_unsuitability. No window: deaths do not exclude.
with unsuitable as (
    select * from timeline.patient_timeline where not_suitable_for_anthracycline_from is not null
),

lines_after as (
    select l.*, u.docetaxel_contraindicated_from
    from timeline.chemotherapy_lines_after_anthracycline_unsuitability l
        join unsuitable u using (patient_id)
    where l.sequence_number <= 3
),

recommended_drugs as (
    select
        *,
        -- 1.3.11's test, so that the two rules agree: gemcitabine + paclitaxel only while docetaxel
        -- is not contraindicated
        chemotherapy_drugs = ['gemcitabine', 'paclitaxel']
            and docetaxel_contraindicated_from <= start_date as gemcitabine_paclitaxel_after_contraindication,
        case sequence_number
            when 1 then chemotherapy_drugs = ['docetaxel']
                or (chemotherapy_drugs = ['gemcitabine', 'paclitaxel']
                    and coalesce(docetaxel_contraindicated_from > start_date, true))
            when 2 then chemotherapy_drugs in (['vinorelbine'], ['capecitabine'])
            -- the other of the two used second
            else chemotherapy_drugs in (['vinorelbine'], ['capecitabine'])
                 and chemotherapy_drugs <> lag(chemotherapy_drugs) over (partition by patient_id order by sequence_number)
        end as as_recommended,
        case sequence_number
            when 1 then case when docetaxel_contraindicated_from <= start_date then 'single-agent docetaxel'
                else 'single-agent docetaxel or gemcitabine + paclitaxel' end
            when 2 then 'single-agent vinorelbine or capecitabine'
            else 'single-agent ' || case when lag(chemotherapy_drugs) over (partition by patient_id order by sequence_number)
                                          = ['vinorelbine'] then 'capecitabine' else 'vinorelbine' end
        end as recommended,
        'chemotherapy line ' || sequence_number || ', started ' || strftime(start_date, '%Y-%m-%d')
            || ' (' || array_to_string(drugs, ', ') || ')' as line_text
    from lines_after
),

-- a recommended line with unrecognised drug names might hide a second agent: unconfirmed
judged as (
    select *,
        case
            when not as_recommended then 'deviates'
            when array_length(unrecognised_drug_names) > 0 then 'unconfirmed'
            else 'as_recommended'
        end as line_status
    from recommended_drugs
),

per_patient as (
    select
        patient_id,
        count(*) as lines_observed,
        any_value(counted_from) as counted_from,
        -- a definite deviation on any line decides, even after an unconfirmed line; an
        -- unconfirmed line decides (insufficient data) only when no line deviates
        arg_min({'sequence_number': sequence_number, 'start_date': start_date, 'line_text': line_text,
                 'recommended': recommended, 'status': line_status, 'unrecognised': unrecognised_drug_names,
                 'gemcitabine_paclitaxel_after_contraindication': gemcitabine_paclitaxel_after_contraindication},
                (line_status <> 'deviates', sequence_number)) filter (where line_status <> 'as_recommended')
            as deciding_line,
        string_agg(line_text, '; ' order by sequence_number) as lines_text,
        list({'line': sequence_number, 'regimen_id': regimen_id, 'regimen_ids': regimen_ids, 'start_date': start_date,
              'chemotherapy_drugs': chemotherapy_drugs} order by sequence_number) as lines
    from judged
    group by patient_id
),

final as (
    select
        u.patient_id,
        u.patient_id as unit_id,
        u.index_date as unit_date,
        u.provider_code,
        case
            when p.deciding_line is null then true
            when p.deciding_line.status = 'unconfirmed' then null
            else false
        end as numerator_met,
        'unrecognised_drug_names: ' || p.deciding_line.line_text || ' also has unrecognised drug names ('
            || array_to_string(p.deciding_line.unrecognised, ', ') || '): '
            || p.deciding_line.recommended || ' cannot be confirmed' as numerator_unknown_reason,
        'recommended_sequence: after the patient became unsuitable for anthracyclines ('
            || u.not_suitable_for_anthracycline_basis || '), the chemotherapy lines follow the recommended sequence: '
            || p.lines_text as adherent_reason,
        case when p.deciding_line.gemcitabine_paclitaxel_after_contraindication
            then 'gemcitabine_paclitaxel_with_docetaxel_contraindicated: ' || p.deciding_line.line_text
                || ' after the patient became unsuitable for anthracyclines is not single-agent docetaxel; '
                || 'gemcitabine + paclitaxel is an option only when docetaxel would also be appropriate, and '
                || 'docetaxel was recorded as contraindicated on ' || strftime(u.docetaxel_contraindicated_from, '%Y-%m-%d')
            else 'line_out_of_sequence: ' || p.deciding_line.line_text
                || ' after the patient became unsuitable for anthracyclines is not ' || p.deciding_line.recommended
        end as non_adherent_reason,
        -- a docetaxel decision explains a first line without docetaxel, but not gemcitabine +
        -- paclitaxel given after docetaxel was contraindicated (1.3.11 finds that non-adherent)
        case when p.deciding_line.sequence_number = 1 and p.deciding_line.status = 'deviates'
                  and not p.deciding_line.gemcitabine_paclitaxel_after_contraindication
            then ['docetaxel'] else []::varchar[] end as exception_treatments,
        p.deciding_line.start_date + $exception_days_after_line_start as exception_window_end,
        {
            'not_suitable_for_anthracycline_from': u.not_suitable_for_anthracycline_from,
            'basis': u.not_suitable_for_anthracycline_basis,
            'docetaxel_contraindicated_from': u.docetaxel_contraindicated_from,
            'lines_counted_from': p.counted_from,
            'chemotherapy_lines': p.lines
        } as evidence
    from unsuitable u
        join per_patient p using (patient_id)
)

select * from final
