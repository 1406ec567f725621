-- The pupils of a view with their groups and their mean gap to target at the drop, for splits and scatter plots.
select
    p.upn, p.pupil_name, p.tutor_group, p.gender, p.disadvantaged, p.sen_status, p.eal,
    p.prior_attainment_band, p.custom_groups,
    (select round(avg(m.gap_grades), 2) from mart_progress m
     where m.school_code = p.school_code and m.upn = p.upn and m.assessment_point = $assessment_point)
        as mean_gap_grades
from mart_pupil p
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
