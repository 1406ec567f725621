-- Pupils with what the tracker derives from their record.
with pupils as (
    select * from stg_pupils
),

derived as (
    select
        *,
        -- DfE: the KS2 average is the mean of the reading and maths scaled
        -- scores, not rounded; with either missing there is no KS2 baseline.
        (ks2_reading + ks2_maths) / 2.0 as ks2_average,
        -- The academic year in which the pupil is (or was) in Year 11.
        academic_year_from_start(academic_year_start(academic_year) + 11 - year_group) as ks4_academic_year,
        leaving_date is null as on_roll
    from pupils
),

final as (
    select
        school_code,
        upn,
        legal_surname,
        legal_forename,
        surname,
        forename,
        forename || ' ' || surname as pupil_name,
        gender,
        date_of_birth,
        year_group,
        academic_year as year_group_academic_year,
        ks4_academic_year,
        tutor_group,
        admission_date,
        leaving_date,
        on_roll,
        coalesce(disadvantaged, false) as disadvantaged,
        coalesce(pupil_premium, false) as pupil_premium,
        coalesce(fsm, false) as fsm,
        sen_status,
        coalesce(eal, false) as eal,
        ethnicity,
        coalesce(looked_after, false) as looked_after,
        coalesce(more_able, false) as more_able,
        ks2_reading,
        ks2_maths,
        ks2_average,
        -- Prior-attainment bands (DESIGN.md §3): below 100 low, 100 to below 110 middle, 110 and above high.
        case
            when ks2_average is null then null
            when ks2_average < 100 then 'low'
            when ks2_average < 110 then 'middle'
            else 'high'
        end as prior_attainment_band,
        alternative_baseline,
        custom_groups,
        batch_id
    from derived
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, upn
