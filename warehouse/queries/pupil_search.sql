-- Pupils the viewer may open, for the Pupil page's search: the chosen view's
-- pupils (school, year group at the drop, subgroup filters), by name.
select p.upn, p.pupil_name, p.surname, p.forename, p.tutor_group
from view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                 $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
order by p.name_order
