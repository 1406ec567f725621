-- The participants of one programme the viewer may see.
select p.pupil_name, i.upn, p.tutor_group, i.start_date, i.end_date, i.lead
from fct_intervention i
join mart_pupil p using (school_code, upn)
where i.school_code = $school and i.programme = $programme
  and ($scope_schools is null or list_contains($scope_schools, i.school_code))
  and ($scope_upns is null or list_contains($scope_upns, i.upn))
order by p.surname, p.forename
