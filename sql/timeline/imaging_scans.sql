-- Every imaging result with a stable scan id (scan_<n> in date order per patient), the modality's
-- clinical name, and the purpose as recorded (NULL when empty). Shared by the imaging rules (1.1.1
-- to 1.1.5, 1.1.7, 1.1.8), so that a scan has one id whichever rule names it.
with scans as (
    select * from validated.imaging
),

final as (
    select
        patient_id,
        -- ids follow what a scan records, so another row order of the file gives the same ids
        -- (source_row orders only rows that are the same in every column)
        'scan_' || row_number() over (partition by patient_id
            order by imaging_date, modality, purpose, result, body_site, provider_code, source_row) as scan_id,
        imaging_date,
        modality,
        imaging_modality_name(modality) as modality_name,
        purpose,
        result,
        body_site,
        provider_code
    from scans
)

select * from final order by patient_id, imaging_date, scan_id
