-- materialise: view
-- Register marks: the latest mark of each pupil x date x session (a corrected
-- file replaces the marks it covers). The biggest table: arg_max over the key
-- is cheaper here than numbering every row with a window.
with source as (
    select * from raw_attendance_sessions
),

latest as (
    select
        school_code,
        upn,
        date,
        session,
        arg_max(mark, (_batch_id, _row_number)) as mark,
        max(_batch_id) as _batch_id
    from source
    group by school_code, upn, date, session
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
