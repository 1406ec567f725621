-- Every chosen pupil's subjects at one drop with their status, for the pupils x
-- subjects grid, in the grid's order: pupils by name (surname, forename), then
-- subjects by name. Each row carries the pupil's and the subject's place in that
-- order, by which the loader places the cell (numbering them here, by window,
-- cost a fifth of the query).
select
    m.upn,
    p.pupil_name,
    p.tutor_group,
    m.subject_name,
    m.status,
    p.name_order as pupil_order,
    m.subject_order
from mart_progress m
join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    using (school_code, upn)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
order by pupil_order, subject_order
