-- CG81 1.5.16: use external beam radiotherapy in a single fraction of 8 Gy to treat patients with
-- bone metastases and pain. Unit: radiotherapy course to a bone site for pain, dated by its start.
-- Stereotactic, retreatment and radical courses are clinical exclusions, each with its own reason
-- code; a course without a recorded indication may or may not be for pain (population unknown); a
-- missing dose or number of fractions leaves the numerator unknown. The prescription decides, so
-- there is no window and a death never excludes.
with cohort as (
    select patient_id, index_date from timeline.patient_cohort
),

bone_courses as (
    select r.*
    from timeline.radiotherapy_courses r
        join cohort c using (patient_id)
    where starts_with(r.site, 'bone_')
      and r.start_date >= c.index_date - $course_days_before_index
      -- spinal cord compression, fracture and post-operative courses are outside the population
      and coalesce(r.indication, 'unknown') in ('pain', 'unknown')
),

described as (
    select
        *,
        -- the course as the notes name it: 'radiotherapy to the spine started 2024-03-11'
        'radiotherapy to ' || case site
                when 'bone_spine' then 'the spine' when 'bone_pelvis' then 'the pelvis'
                when 'bone_long' then 'a long bone' when 'bone_rib' then 'the ribs' when 'bone_skull' then 'the skull'
                else 'bone (other site)' end
            || ' started ' || strftime(start_date, '%Y-%m-%d') as course_text,
        number_text(prescribed_dose_gy::double) || ' Gy in ' || prescribed_fractions
            || case when prescribed_fractions = 1 then ' fraction' else ' fractions' end as fractionation_text
    from bone_courses
),

final as (
    select
        patient_id,
        course_id as unit_id,
        start_date as unit_date,
        unit_provider_code as provider_code,
        case
            when technique = 'stereotactic' then 'stereotactic: ' || course_text
                || ' was stereotactic radiotherapy, which the recommendation of a single fraction does not cover'
            when retreatment then 'retreatment: ' || course_text || ' re-irradiated a previously treated site'
            when intent = 'radical' then 'radical_intent: ' || course_text || ' had radical (curative) intent'
        end as exclusion_reason,
        case when coalesce(indication, 'unknown') = 'unknown'
            then 'indication_unknown: ' || course_text
                 || ' has no recorded indication, so whether it treated pain is not known' end as population_unknown_reason,
        case when prescribed_dose_gy is not null and prescribed_fractions is not null
            then abs(prescribed_dose_gy - $single_fraction_dose_gy) < 0.01 and prescribed_fractions = 1
        end as numerator_met,
        case
            when prescribed_dose_gy is null and prescribed_fractions is null
                then 'dose_and_fractions_missing: ' || course_text || ' for pain has neither the prescribed dose nor the number of fractions recorded'
            when prescribed_dose_gy is null
                then 'dose_missing: ' || course_text || ' for pain has no prescribed dose recorded'
            else 'fractions_missing: ' || course_text || ' for pain has no number of fractions recorded'
        end as numerator_unknown_reason,
        'single_fraction_8_gy: ' || course_text || ' for pain: ' || fractionation_text as adherent_reason,
        'not_single_fraction_8_gy: ' || course_text || ' for pain: ' || fractionation_text || ', not a single fraction of '
            || number_text($single_fraction_dose_gy::double) || ' Gy' as non_adherent_reason,
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
    from described
)

select * from final
