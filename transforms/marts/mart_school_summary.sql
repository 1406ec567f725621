-- What each school's warehouse holds: the headline counts a data manager checks after an import.
with pupils as (
    select school_code,
           count(*) filter (where on_roll) as pupils_on_roll,
           count(*) filter (where not on_roll) as pupils_left
    from dim_pupil
    group by school_code
),

subjects as (
    select school_code, count(*) as subjects from dim_subject group by school_code
),

points as (
    select school_code,
           count(*) as assessment_points,
           arg_max(assessment_point, point_sequence) as latest_assessment_point
    from dim_assessment_point
    group by school_code
),

assessments as (
    select school_code,
           count(*) as assessments,
           count(*) filter (where grade_entered) as grades_entered
    from fct_assessment
    group by school_code
),

attendance as (
    select school_code, count(*) as attendance_sessions from fct_attendance_session group by school_code
),

final as (
    select
        s.school_code,
        coalesce(pupils.pupils_on_roll, 0) as pupils_on_roll,
        coalesce(pupils.pupils_left, 0) as pupils_left,
        coalesce(subjects.subjects, 0) as subjects,
        coalesce(points.assessment_points, 0) as assessment_points,
        points.latest_assessment_point,
        coalesce(assessments.assessments, 0) as assessments,
        coalesce(assessments.grades_entered, 0) as grades_entered,
        coalesce(attendance.attendance_sessions, 0) as attendance_sessions
    from dim_school s
    left join pupils using (school_code)
    left join subjects using (school_code)
    left join points using (school_code)
    left join assessments using (school_code)
    left join attendance using (school_code)
)

select * from final
