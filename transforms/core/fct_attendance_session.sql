-- One register mark with what it means for attendance statistics (DfE codes).
with marks as (
    select * from stg_attendance_sessions
),

codes as (
    select code, category from ref_attendance_codes
),

final as (
    select
        m.school_code,
        m.upn,
        m.session_date,
        academic_year_of(m.session_date) as academic_year,
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
)

select * from final
