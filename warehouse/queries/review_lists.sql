-- Concern and commendation lists at one drop for the chosen pupils, each with
-- the rule that listed the pupil and the reason (mart_review_list).
select
    r.list,
    r.rule,
    p.pupil_name,
    r.upn,
    p.tutor_group,
    r.year_group,
    r.reason
from mart_review_list r
join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    using (school_code, upn)
where r.school_code = $school and r.assessment_point = $assessment_point
order by r.list, r.rule, p.name_order   -- by surname, forename (and UPN: two pupils may share a name)
