-- One pupil's record (within the viewer's scope).
select *
from mart_pupil
where school_code = $school and upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and ($scope_upns is null or list_contains($scope_upns, upn))
