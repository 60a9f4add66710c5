-- Pieces of the plain-English reasons clinicians read (measures.md "Reasons a clinician can read"):
-- no contract codes, no "index - 60 .. + 30" arithmetic, no sentinel dates.

-- An imaging modality as a clinician names it.
create or replace temp macro imaging_modality_name(modality) as
    case modality
        when 'xray' then 'plain x-ray'
        when 'ultrasound' then 'ultrasound'
        when 'ct' then 'CT'
        when 'mri' then 'MRI'
        when 'bone_scintigraphy' then 'bone scan'
        when 'pet_ct' then 'PET-CT'
        when 'other' then 'other imaging'
        else replace(modality, '_', ' ')
    end;

-- 'a', 'a or b', 'a, b or c' (conjunction 'or' / 'and').
create or replace temp macro text_list(items, conjunction) as
    case
        when array_length(items) = 0 then ''
        when array_length(items) = 1 then items[1]
        else array_to_string(list_slice(items, 1, array_length(items) - 1), ', ') || ' ' || conjunction || ' '
            || list_extract(items, array_length(items))
    end;

-- A number of days before or after an anchor, in words: '60 days before', 'the day of', '1 day after'.
create or replace temp macro days_from_anchor_text(days) as
    case
        when days = 0 then 'the day of'
        else abs(days)::varchar || case when abs(days) = 1 then ' day ' else ' days ' end
            || case when days < 0 then 'before' else 'after' end
    end;

-- A window around the diagnosis of advanced disease, in words, with the diagnosis date:
-- 'within 60 days before to 30 days after the diagnosis of advanced disease (2024-03-01)';
-- a window without a lower bound (start 10 years or more before) reads 'on or before 90 days after ...'.
create or replace temp macro index_window_text(index_date, start_days, end_days) as
    case when start_days <= -3650 then 'on or before '
        else 'within ' || days_from_anchor_text(start_days) || ' to '
    end || days_from_anchor_text(end_days) || ' the diagnosis of advanced disease ('
        || strftime(index_date, '%Y-%m-%d') || ')';

-- A number as clinicians write it: 8 Gy, 7.5 Gy (whole numbers without a decimal point; the same
-- text on every engine, which format('{:g}') is not).
create or replace temp macro number_text(x) as
    case when x = round(x) then cast(cast(x as bigint) as varchar) else cast(cast(x as double) as varchar) end;
