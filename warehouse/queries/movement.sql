-- Movement of working-at grades between two assessment points, per pupil and subject.
with before as (
    select school_code, upn, subject_code, working_at, working_at_points, grade_scale
    from mart_progress
    where school_code = $school and assessment_point = $from_point and working_at_points is not null
),

after as (
    select school_code, upn, subject_code, working_at, working_at_points, class_code, teacher_code, year_group
    from mart_progress
    where school_code = $school and assessment_point = $to_point and working_at_points is not null
)

select
    a.school_code,
    a.upn,
    a.subject_code,
    a.year_group,
    a.class_code,
    a.teacher_code,
    b.working_at as from_grade,
    a.working_at as to_grade,
    b.working_at_points as from_points,
    a.working_at_points as to_points,
    round((a.working_at_points - b.working_at_points) / w.grade_width, 2) as change_grades,
    case
        when a.working_at_points > b.working_at_points then 'up'
        when a.working_at_points = b.working_at_points then 'same'
        else 'down'
    end as movement
from after a
join before b using (school_code, upn, subject_code)
join (select distinct scale_code, grade_width from int_grade_scale) w on w.scale_code = b.grade_scale
order by a.upn, a.subject_code
