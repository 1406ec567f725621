-- On track (as on the Overview) at each drop of the chosen drop's academic year and the year before, for
-- every school, for the chosen year group as it was at each drop (null: all). Whole-school viewers only.
with years as (
    select distinct academic_year_start(academic_year) as last_year
    from dim_assessment_point
    where assessment_point = $assessment_point
)
select t.school_code, t.assessment_point, min(t.point_date) as point_date, cast(sum(t.pupils) as bigint) as pupils,
       round(100.0 * sum(t.on_track_or_ahead) / nullif(sum(t.graded_with_target), 0), 1) as pct_on_track
from mart_trust_progress t
where ($scope_schools is null or list_contains($scope_schools, t.school_code))
  and $scope_upns is null and $scope_subjects is null
  and academic_year_start(t.academic_year) between (select max(last_year) from years) - 1
                                               and (select max(last_year) from years)
  and t.point_date <= (select max(point_date) from dim_assessment_point where assessment_point = $assessment_point)
  and ($year_group is null or t.year_group = $year_group)
group by t.school_code, t.assessment_point
having sum(t.graded_with_target) > 0
order by point_date, t.school_code
