-- The pupils of a view with their groups and their mean gap to target at the drop, for splits and scatter plots.
with gaps as (   -- the school's gaps at the drop only (a correlated subquery would read every school's)
    select upn, round(avg(gap_grades), 2) as mean_gap_grades
    from mart_progress
    where school_code = $school and assessment_point = $assessment_point
    group by upn
)

select
    p.upn, p.pupil_name, p.tutor_group, p.gender, p.disadvantaged, p.sen_status, p.eal,
    p.prior_attainment_band, p.custom_groups, g.mean_gap_grades
from mart_pupil p
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
left join gaps g using (upn)
where p.school_code = $school
