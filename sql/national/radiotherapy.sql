-- raw.radiotherapy: one course per RTDS prescription (PRESCRIPTIONID; its rows repeat per attendance:
-- the first row gives dose, fractions, region and site). The course starts at its first appointment
-- (prescription or exposure APPTDATE), else its episode's. Dose RTPRESCRIBEDDOSE (Gy) and fractions
-- RTPRESCRIBEDFRACTIONS as prescribed; intent from the episode's RADIOTHERAPYINTENT
-- (codes/radiotherapy_intent.csv); site from RTTREATMENTREGION (codes/radiotherapy_region.csv: P is the
-- breast, R the nodes) or, for a metastasis (M), from the OPCS-4 Z code of RTTREATMENTANATOMICALSITE
-- (codes/radiotherapy_anatomical_site.csv, by its first three characters), else other. The indication
-- (pain, cord compression...) and the technique are not recorded.
with prescription_rows as (
    select p.*, trim(p.prescriptionid) as course_id
    from national.sim_rtds_prescription p
        join national.row_dispositions d on d.table_name = 'sim_rtds_prescription' and d.source_row = p.source_row
    where d.disposition = 'mapped'
),

appointments as (
    select course_id, parse_date(apptdate) as appointment from prescription_rows
    union all
    select trim(x.prescriptionid), parse_date(x.apptdate)
    from national.sim_rtds_exposure x
        join national.row_dispositions d on d.table_name = 'sim_rtds_exposure' and d.source_row = x.source_row
    where d.disposition = 'mapped'
),

first_appointment as (
    select course_id, min(appointment) as first_appointment from appointments group by all
),

episodes as (
    select trim(radiotherapyepisodeid) as episode_id, arg_min(e, e.source_row) as episode
    from national.sim_rtds_episode e
    group by all
),

courses as (
    select * from prescription_rows
    qualify row_number() over (partition by course_id order by parse_date(apptdate) nulls last, source_row) = 1
)

select
    row_number() over (order by c.source_row) as source_row,
    trim(c.patientid) as patient_id,
    c.course_id,
    coalesce(strftime(f.first_appointment, '%Y-%m-%d'), nullif(trim(e.episode.apptdate), ''),
             nullif(trim(c.apptdate), '')) as start_date,
    i.intent,
    coalesce(region.site, anatomical.site, 'other') as site,
    c.rtprescribeddose as prescribed_dose_gy,
    c.rtprescribedfractions as prescribed_fractions,
    nullif(upper(trim(c.orgcodeprovider)), '') as provider_code
from courses c
    left join first_appointment f using (course_id)
    left join episodes e on e.episode_id = trim(c.radiotherapyepisodeid)
    left join national_codes.radiotherapy_intent i on i.code = trim(e.episode.radiotherapyintent)
    left join national_codes.radiotherapy_region region on region.code = upper(trim(c.rttreatmentregion))
    left join national_codes.radiotherapy_anatomical_site anatomical
        on anatomical.code = left(upper(replace(trim(c.rttreatmentanatomicalsite), '.', '')), 3)
