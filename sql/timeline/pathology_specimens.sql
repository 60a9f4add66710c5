-- Pathology specimens of cohort patients with the shared definition "receptor assessed" (measures.md:
-- the specimen has both an ER and a HER2 result, positive, negative or borderline; a specimen that
-- lacks either does not count), read by 1.1.6 and QS12-4.
with cohort as (
    select patient_id from timeline.patient_cohort
),

final as (
    select
        s.* exclude (source_row),
        -- an empty result is no result (never NULL here, so that such a specimen can be named)
        coalesce(s.er_status in ('positive', 'negative')
            and s.her2_status in ('positive', 'negative', 'borderline'), false) as is_receptor_assessed
    from validated.pathology s
        join cohort c using (patient_id)
)

select * from final order by patient_id, sample_date, specimen_origin
