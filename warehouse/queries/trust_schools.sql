-- Each school of the trust at one drop (by name: each school's own drop of that name), for one year group:
-- its figures as the macro trust_school_figures counts them (all year groups together:
-- trust_schools_all_years). For whole-school viewers only, so a viewer of some pupils or subjects gets no rows
-- rather than figures about pupils outside their scope. Asked with every parameter null, every drop's and
-- year group's rows: the reader reads it so once per snapshot and answers each ask from memory (LOOKUPS).
select *
from trust_school_figures()
where year_group is not null
  and ($assessment_point is null or assessment_point = $assessment_point)
  and ($year_group is null or year_group = $year_group)
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and $scope_upns is null and $scope_subjects is null
order by assessment_point, year_group, school_code
