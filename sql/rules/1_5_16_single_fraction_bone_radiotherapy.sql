-- CG81 1.5.16: use external beam radiotherapy in a single fraction of 8 Gy to treat patients with
-- bone metastases and pain. Unit: radiotherapy course.
with cohort as (
    select patient_id, index_date, provider_code as patient_provider_code from timeline.patient_cohort
),

bone_courses as (
    select r.*, coalesce(r.provider_code, c.patient_provider_code) as unit_provider_code
    from validated.radiotherapy r
        join cohort c using (patient_id)
    where starts_with(r.site, 'bone_')
      and r.start_date >= c.index_date - $course_days_before_index
      -- spinal cord compression, fracture and post-operative courses are outside the population
      and coalesce(r.indication, 'unknown') in ('pain', 'unknown')
),

final as (
    select
        patient_id,
        course_id as unit_id,
        start_date as unit_date,
        unit_provider_code as provider_code,
        case
            when technique = 'stereotactic' then 'clinical_exclusion: stereotactic radiotherapy'
            when retreatment then 'clinical_exclusion: re-irradiation of a previously treated site'
            when intent = 'radical' then 'clinical_exclusion: radical intent'
        end as exclusion_reason,
        case when coalesce(indication, 'unknown') = 'unknown'
            then 'indication unknown (cannot tell whether the course treated pain)' end as population_unknown_reason,
        case when prescribed_dose_gy is not null and prescribed_fractions is not null
            then abs(prescribed_dose_gy - $single_fraction_dose_gy) < 0.01 and prescribed_fractions = 1
        end as numerator_met,
        case
            when prescribed_dose_gy is null and prescribed_fractions is null then 'prescribed_dose_gy and prescribed_fractions missing'
            when prescribed_dose_gy is null then 'prescribed_dose_gy missing'
            else 'prescribed_fractions missing'
        end as numerator_unknown_reason,
        'single fraction of ' || prescribed_dose_gy || ' Gy' as adherent_reason,
        prescribed_dose_gy || ' Gy in ' || prescribed_fractions || ' fraction(s), not '
            || $single_fraction_dose_gy || ' Gy in 1' as non_adherent_reason,
        []::varchar[] as exception_treatments,
        null::date as exception_window_end,
        null::date as window_end,
        {
            'course_id': course_id,
            'start_date': start_date,
            'site': site,
            'indication': indication,
            'intent': intent,
            'technique': technique,
            'retreatment': retreatment,
            'prescribed_dose_gy': prescribed_dose_gy,
            'prescribed_fractions': prescribed_fractions
        } as evidence
    from bone_courses
)

select * from final
