-- Attendance summaries: the latest row of each pupil x period.
with source as (
    select * from raw_attendance_summary
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, upn, from_date, to_date order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        upn,
        cast(from_date as date) as from_date,
        cast(to_date as date) as to_date,
        cast(possible_sessions as integer) as possible_sessions,
        cast(present_sessions as integer) as present_sessions,
        cast(authorised_absence as integer) as authorised_absence_sessions,
        cast(unauthorised_absence as integer) as unauthorised_absence_sessions,
        _batch_id as batch_id
    from latest
)

select * from final
