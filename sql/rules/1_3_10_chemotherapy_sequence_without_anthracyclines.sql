-- CG81 1.3.10: for patients not suitable for anthracyclines, chemotherapy in sequence: first
-- single-agent docetaxel (or gemcitabine + paclitaxel, 1.3.11), second single-agent vinorelbine
-- or capecitabine, third the other of the two. Unit: patient; judged on the palliative
-- chemotherapy lines observed from the point of unsuitability (up to three).
with unsuitable as (
    select * from timeline.patient_timeline where not_suitable_for_anthracycline_from is not null
),

lines_after as (
    select
        l.patient_id,
        row_number() over (partition by l.patient_id order by l.start_date, l.regimen_id) as sequence_number,
        l.regimen_id,
        l.start_date,
        l.chemotherapy_drugs,
        l.unrecognised_drug_names
    from timeline.lines_of_therapy l
        join unsuitable u using (patient_id)
    where l.has_chemotherapy and l.start_date >= u.not_suitable_for_anthracycline_from
    qualify sequence_number <= 3
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
        arg_min({'sequence_number': sequence_number, 'regimen_id': regimen_id, 'start_date': start_date,
                 'drugs': chemotherapy_drugs, 'recommended': recommended, 'status': line_status,
                 'unrecognised': unrecognised_drug_names},
                sequence_number) filter (where line_status <> 'as_recommended') as first_deviation,
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
            when p.first_deviation is null then true
            when p.first_deviation.status = 'unconfirmed' then null
            else false
        end as numerator_met,
        'chemotherapy line ' || p.first_deviation.sequence_number || ' (regimen ' || p.first_deviation.regimen_id
            || ') also has unrecognised drug names (' || array_to_string(p.first_deviation.unrecognised, ', ')
            || '): ' || p.first_deviation.recommended || ' cannot be confirmed' as numerator_unknown_reason,
        p.lines_observed || ' chemotherapy line(s) after unsuitability for anthracyclines in the recommended sequence'
            as adherent_reason,
        'chemotherapy line ' || p.first_deviation.sequence_number || ' after unsuitability for anthracyclines (regimen '
            || p.first_deviation.regimen_id || ': ' || array_to_string(p.first_deviation.drugs, ' + ')
            || ') is not ' || p.first_deviation.recommended as non_adherent_reason,
        -- a docetaxel decision explains only a first line without docetaxel
        case when p.first_deviation.sequence_number = 1 then ['docetaxel'] else []::varchar[] end
            as exception_treatments,
        p.first_deviation.start_date + $exception_days_after_line_start as exception_window_end,
        null::date as window_end,
        {
            'not_suitable_for_anthracycline_from': u.not_suitable_for_anthracycline_from,
            'basis': u.not_suitable_for_anthracycline_basis,
            'chemotherapy_lines': p.lines
        } as evidence
    from unsuitable u
        join per_patient p using (patient_id)
)

select * from final
