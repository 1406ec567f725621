-- On track at each drop of the chosen drop's academic year and the year before, for every school, all year
-- groups together, as the macro trust_trend_rows counts it. Whole-school viewers only; read once per snapshot
-- with every parameter null and answered from memory (LOOKUPS), as trust_trend.
select * exclude (year_group)
from trust_trend_rows()
where year_group is null
  and ($assessment_point is null or chosen_point = $assessment_point)
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and $scope_upns is null and $scope_subjects is null
order by chosen_point, point_date, school_code
