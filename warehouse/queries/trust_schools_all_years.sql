-- Each school of the trust at one drop (by name: each school's own drop of that name), all year groups
-- together: its figures as the macro trust_school_figures counts them. For whole-school viewers only (as
-- trust_schools); read once per snapshot with every parameter null and answered from memory (LOOKUPS).
select * exclude (year_group)
from trust_school_figures()
where year_group is null
  and ($assessment_point is null or assessment_point = $assessment_point)
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and $scope_upns is null and $scope_subjects is null
order by assessment_point, school_code
