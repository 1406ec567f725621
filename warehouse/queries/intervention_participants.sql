-- The participants of one programme the viewer may see. A lookup (warehouse/data.py, LOOKUPS): the
-- reader reads every programme's participants once per snapshot and answers each ask from memory.
select i.school_code, i.programme, p.pupil_name, i.upn, p.tutor_group, i.start_date, i.end_date, i.lead
from fct_intervention i
join mart_pupil p using (school_code, upn)
where ($school is null or i.school_code = $school)
  and ($programme is null or i.programme = $programme)
  and ($scope_schools is null or list_contains($scope_schools, i.school_code))
  and ($scope_upns is null or list_contains($scope_upns, i.upn))
order by p.surname, p.forename, i.upn, i.start_date
