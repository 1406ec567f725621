-- Who moved between two drops: for each chosen pupil, the subjects whose
-- working-at grade went up, stayed or went down from $compare_point to
-- $assessment_point, and the mean change in grades.
with before as (
    select school_code, upn, subject_code, working_at_points, grade_scale
    from mart_progress
    where school_code = $school and assessment_point = $compare_point and working_at_points is not null
),

after as (
    select school_code, upn, subject_code, working_at_points
    from mart_progress
    where school_code = $school and assessment_point = $assessment_point and working_at_points is not null
),

changes as (
    select a.school_code, a.upn, a.subject_code,
           (a.working_at_points - b.working_at_points) / w.grade_width as change_grades
    from after a
    join before b using (school_code, upn, subject_code)
    join (select distinct scale_code, grade_width from int_grade_scale) w on w.scale_code = b.grade_scale
    semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                          $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
        using (school_code, upn)
    where $scope_subjects is null or list_contains($scope_subjects, a.subject_code)
)

select
    c.upn,
    p.pupil_name,
    p.tutor_group,
    count(*) as subjects,
    count(*) filter (where c.change_grades > 0) as subjects_up,
    count(*) filter (where c.change_grades = 0) as subjects_same,
    count(*) filter (where c.change_grades < 0) as subjects_down,
    round(avg(c.change_grades), 2) as mean_change_grades
from changes c
join mart_pupil p using (school_code, upn)
group by all
order by mean_change_grades desc, p.pupil_name, c.upn   -- two pupils may share a name
