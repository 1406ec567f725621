-- How many of the chosen pupils have grades at the drop (in the viewer's subjects): the Year review's count,
-- the rows of its grid of every pupil's subjects (status_grid), which is read only when that tab is open.
select count(distinct m.upn) as pupils
from mart_progress m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
