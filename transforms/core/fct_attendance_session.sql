-- One register mark with what it means for attendance statistics (DfE codes).
with marks as (
    select * from stg_attendance_sessions
),

codes as (
    select code, category from ref_attendance_codes
),

-- The academic year of each school day, worked out once per day, not per mark.
days as (
    select session_date, academic_year_of(session_date) as academic_year
    from (select distinct session_date from marks)
),

final as (
    select
        m.school_code,
        m.upn,
        m.session_date,
        d.academic_year,
        m.session,
        m.mark,
        c.category as mark_category,
        c.category <> 'not_possible' as is_possible,
        c.category in ('present', 'approved_educational_activity') as is_present,
        c.category = 'authorised' as is_authorised_absence,
        c.category = 'unauthorised' as is_unauthorised_absence,
        m.batch_id
    from marks m
    join codes c on c.code = m.mark
    join days d using (session_date)
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, session_date, upn
