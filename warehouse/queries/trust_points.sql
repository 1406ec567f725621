-- The drops the trust's schools have graded, by name, latest first, with how many schools have grades at each.
select t.assessment_point, min(t.point_date) as point_date, count(distinct t.school_code) as schools
from mart_trust_progress t
where ($scope_schools is null or list_contains($scope_schools, t.school_code))
  and $scope_upns is null and $scope_subjects is null
group by t.assessment_point
order by point_date desc
