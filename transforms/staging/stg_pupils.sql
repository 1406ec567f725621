-- Pupils: the latest row of each pupil (a corrected file replaces the rows it covers).
with source as (
    select * from raw_pupils
),

latest as (
    select *
    from source
    qualify row_number() over (partition by school_code, upn order by _batch_id desc, _row_number desc) = 1
),

final as (
    select
        school_code,
        upn,
        legal_surname,
        legal_forename,
        coalesce(preferred_surname, legal_surname) as surname,
        coalesce(preferred_forename, legal_forename) as forename,
        gender,
        cast(date_of_birth as date) as date_of_birth,
        cast(year_group as integer) as year_group,
        academic_year,
        tutor_group,
        cast(admission_date as date) as admission_date,
        cast(leaving_date as date) as leaving_date,
        yes(disadvantaged) as disadvantaged,
        yes(pupil_premium) as pupil_premium,
        yes(fsm) as fsm,
        coalesce(sen_status, 'N') as sen_status,
        yes(eal) as eal,
        ethnicity,
        yes(looked_after) as looked_after,
        yes(more_able) as more_able,
        cast(ks2_reading as integer) as ks2_reading,
        cast(ks2_maths as integer) as ks2_maths,
        cast(alternative_baseline as double) as alternative_baseline,
        custom_groups,
        _batch_id as batch_id
    from latest
)

select * from final
