-- Current targets of the chosen pupils with the 2008 guide's anomaly flags (mart_target_check): only the
-- flagged ones when $flagged_only (the Targets page's first view), else all of them, flagged ones first.
select
    p.pupil_name,
    t.upn,
    p.tutor_group,
    s.subject_name,
    t.target,
    t.set_by,
    t.set_on,
    t.reason,
    t.prediction_method,
    t.predicted_grade,
    t.best_attained,
    t.target_below_prediction,
    t.target_already_attained,
    t.target_not_challenging,
    t.flags
from mart_target_check t
join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    using (school_code, upn)
join dim_subject s using (school_code, subject_code)
where t.school_code = $school
  and ($subject_code is null or t.subject_code = $subject_code)
  and ($scope_subjects is null or list_contains($scope_subjects, t.subject_code))
  and (not $flagged_only or t.flags <> '')
order by t.flags = '', p.name_order, s.name_order
