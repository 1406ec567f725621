-- Each school's drops with grades, by name, at the school's own date: the Trust overview offers their names
-- (loaders.trust_points). Oldest first, then by name, so that a name's first row is its earliest. For
-- whole-school viewers only, as the trust's figures. A lookup (warehouse/data.py, LOOKUPS): the reader reads
-- every school's once per snapshot and answers each ask from memory (as a query, 1.4 ms).
select t.school_code, t.assessment_point, min(t.point_date) as point_date
from mart_trust_progress t
where ($scope_schools is null or list_contains($scope_schools, t.school_code))
  and $scope_upns is null and $scope_subjects is null
group by t.school_code, t.assessment_point
order by point_date, t.assessment_point, t.school_code
