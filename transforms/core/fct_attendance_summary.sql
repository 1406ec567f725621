-- Attendance summaries imported per pupil and period.
with summaries as (
    select * from stg_attendance_summary
),

final as (
    select
        school_code,
        upn,
        from_date,
        to_date,
        academic_year_of(from_date) as academic_year,
        possible_sessions,
        present_sessions,
        authorised_absence_sessions,
        unauthorised_absence_sessions,
        batch_id
    from summaries
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, upn
