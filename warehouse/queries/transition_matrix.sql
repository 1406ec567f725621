-- Pupils by prior-attainment band and grade in a subject at an assessment point
-- (one grade type), for the pupils of a view (scope and filters; null = all).
-- Grades are whole grades where the scale has fine grades or
-- sub-levels ("6-" and "6+" are 6; "4c" and "4a" are level 4).
select
    p.prior_attainment_band,
    case when a.grade_scale in ('gcse_fine', 'gcse_abc', 'nc_levels')
         then coalesce(nullif(regexp_extract(a.grade, '^\d+'), ''), a.grade)
         else a.grade end as grade,
    max(case when a.grade_scale in ('gcse_fine', 'gcse_abc', 'nc_levels') and regexp_matches(a.grade, '^\d')
             then cast(regexp_extract(a.grade, '^\d+') as double)
             else a.points / a.grade_width end) as grade_order,
    count(*) as pupils
from int_ks_grade a
join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    using (school_code, upn)
where a.school_code = $school and a.assessment_point = $assessment_point and a.subject_code = $subject_code
  and a.grade_type = $grade_type and a.grade_entered
group by all
order by 1, grade_order desc
