-- Every chosen pupil's subjects at one drop: grade, target, progress target
-- and status, for the pupils x subjects grid.
select
    m.upn,
    p.pupil_name,
    p.tutor_group,
    s.subject_name,
    m.working_at,
    m.target,
    m.progress_target_points,
    m.gap_grades,
    m.status
from mart_progress m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
join mart_pupil p using (school_code, upn)
join dim_subject s using (school_code, subject_code)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
order by p.surname, p.forename, s.subject_name
