-- Intervention participation: the latest row of each pupil x programme x start.
with source as (
    select * from raw_interventions
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, programme, upn, start_date order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        programme,
        upn,
        subject_code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        lead,
        _batch_id as batch_id
    from latest
)

select * from final
