-- Every chosen pupil's subjects at one drop with their status, for the pupils x
-- subjects grid: each cell's row (pupils by name: surname, forename) and column
-- (subjects by name) are numbered here, so the loader places them without
-- sorting in pandas.
select
    m.upn,
    p.pupil_name,
    p.tutor_group,
    s.subject_name,
    m.status,
    dense_rank() over (order by p.name_order) - 1 as pupil_no,
    dense_rank() over (order by s.name_order) - 1 as subject_no
from mart_progress m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
join mart_pupil p using (school_code, upn)
join dim_subject s using (school_code, subject_code)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
order by pupil_no, subject_no
