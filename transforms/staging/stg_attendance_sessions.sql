-- Register marks: the latest mark of each pupil x date x session.
with source as (
    select * from raw_attendance_sessions
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, upn, date, session order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        upn,
        cast(date as date) as session_date,
        session,
        mark,
        _batch_id as batch_id
    from latest
)

select * from final
