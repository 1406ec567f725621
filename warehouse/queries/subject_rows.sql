-- One row per chosen pupil x subject with a working-at grade at the drop
-- (every subject, or the sidebar's subject), with the grade, target, progress
-- status and residual (against the pupil's other subjects), the class and
-- teacher, and the pupil's groups: the Subjects page splits one subject's rows,
-- the Explore page summarises them by the measure and split chosen.
select
    m.upn,
    p.pupil_name,
    p.tutor_group,
    m.year_group,
    m.subject_code,
    m.subject_name,
    m.class_code,
    coalesce(m.teacher_name, m.teacher_code) as teacher,
    m.grade_scale,
    m.working_at,
    m.working_at_points,
    m.target,
    round(m.progress_target_points, 2) as progress_target_points,
    m.gap_grades,
    m.status,
    m.status in ('ahead', 'on_track') as on_track,
    m.status in ('below', 'well_below') as below_target,
    m.residual_grades,
    p.gender,
    p.disadvantaged,
    p.sen_status,
    p.eal,
    p.prior_attainment_band,
    p.custom_groups
from mart_progress m
join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    using (school_code, upn)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($subject_code is null or m.subject_code = $subject_code)
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
  and m.working_at_points is not null
order by p.name_order, m.subject_order
