-- How many current targets of the chosen pupils were checked, and how many have each of the 2008 guide's
-- anomaly flags (mart_target_check): the Targets page's headline, over every target of the view.
select
    count(*) as targets,
    count(*) filter (where t.flags <> '') as flagged,
    count(*) filter (where t.target_below_prediction) as below_prediction,
    count(*) filter (where t.target_already_attained) as already_attained,
    count(*) filter (where t.target_not_challenging) as not_challenging
from mart_target_check t
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
where t.school_code = $school
  and ($subject_code is null or t.subject_code = $subject_code)
  and ($scope_subjects is null or list_contains($scope_subjects, t.subject_code))
