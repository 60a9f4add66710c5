-- CG81 1.3.10: for patients not suitable for anthracyclines, chemotherapy in sequence: first
-- single-agent docetaxel (or gemcitabine + paclitaxel, 1.3.11), second single-agent vinorelbine
-- or capecitabine, third the other of the two. Unit: patient; judged on the palliative
-- chemotherapy lines observed after the point of unsuitability (up to three), numbered in
-- timeline.chemotherapy_lines_after_anthracycline_unsuitability.
with unsuitable as (
    select * from timeline.patient_timeline where not_suitable_for_anthracycline_from is not null
),

lines_after as (
    select * from timeline.chemotherapy_lines_after_anthracycline_unsuitability where sequence_number <= 3
),

recommended_drugs as (
    select
        *,
        case sequence_number
            when 1 then chemotherapy_drugs in (['docetaxel'], ['gemcitabine', 'paclitaxel'])
            when 2 then chemotherapy_drugs in (['vinorelbine'], ['capecitabine'])
            -- the other of the two used second
            else chemotherapy_drugs in (['vinorelbine'], ['capecitabine'])
                 and chemotherapy_drugs <> lag(chemotherapy_drugs) over (partition by patient_id order by sequence_number)
        end as as_recommended,
        case sequence_number
            when 1 then 'single-agent docetaxel or gemcitabine + paclitaxel'
            when 2 then 'single-agent vinorelbine or capecitabine'
            else 'single-agent ' || case when lag(chemotherapy_drugs) over (partition by patient_id order by sequence_number)
                                          = ['vinorelbine'] then 'capecitabine' else 'vinorelbine' end
        end as recommended
    from lines_after
),

-- a recommended line with unrecognised drug names might hide a second agent: unconfirmed
judged as (
    select *,
        case
            when not as_recommended then 'deviates'
            when len(unrecognised_drug_names) > 0 then 'unconfirmed'
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
        arg_min({'sequence_number': sequence_number, 'regimen_id': regimen_id, 'start_date': start_date,
                 'drugs': chemotherapy_drugs, 'recommended': recommended, 'status': line_status,
                 'unrecognised': unrecognised_drug_names},
                (line_status <> 'deviates', sequence_number)) filter (where line_status <> 'as_recommended')
            as deciding_line,
        list({'line': sequence_number, 'regimen_id': regimen_id, 'start_date': start_date,
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
        null as exclusion_reason,
        null as population_unknown_reason,
        case
            when p.deciding_line is null then true
            when p.deciding_line.status = 'unconfirmed' then null
            else false
        end as numerator_met,
        'chemotherapy line ' || p.deciding_line.sequence_number || ' (regimen ' || p.deciding_line.regimen_id
            || ') also has unrecognised drug names (' || array_to_string(p.deciding_line.unrecognised, ', ')
            || '): ' || p.deciding_line.recommended || ' cannot be confirmed' as numerator_unknown_reason,
        p.lines_observed || ' chemotherapy line(s) after unsuitability for anthracyclines in the recommended sequence'
            as adherent_reason,
        'chemotherapy line ' || p.deciding_line.sequence_number || ' after unsuitability for anthracyclines (regimen '
            || p.deciding_line.regimen_id || ': ' || array_to_string(p.deciding_line.drugs, ' + ')
            || ') is not ' || p.deciding_line.recommended as non_adherent_reason,
        -- a docetaxel decision explains only a first line without docetaxel
        case when p.deciding_line.sequence_number = 1 and p.deciding_line.status = 'deviates'
            then ['docetaxel'] else []::varchar[] end as exception_treatments,
        p.deciding_line.start_date + $exception_days_after_line_start as exception_window_end,
        null::date as window_end,
        {
            'not_suitable_for_anthracycline_from': u.not_suitable_for_anthracycline_from,
            'basis': u.not_suitable_for_anthracycline_basis,
            'lines_counted_from': p.counted_from,
            'chemotherapy_lines': p.lines
        } as evidence
    from unsuitable u
        join per_patient p using (patient_id)
)

select * from final
