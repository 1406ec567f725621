-- On track (as on the Overview) at each drop of the chosen drop's academic year and the year before, for
-- every school, for one year group as it was at each drop (all year groups together: trust_trend_all_years),
-- as the macro trust_trend_rows counts it. Whole-school viewers only. Asked with every parameter null, every
-- chosen drop's and year group's rows: read so once per snapshot and answered from memory (LOOKUPS).
select *
from trust_trend_rows()
where year_group is not null
  and ($assessment_point is null or chosen_point = $assessment_point)
  and ($year_group is null or year_group = $year_group)
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and $scope_upns is null and $scope_subjects is null
order by chosen_point, year_group, point_date, school_code
