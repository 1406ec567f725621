-- The pupils in an intervention programme at some time in a drop's academic year (from 1 September to the next),
-- by school and drop: Groups and gaps marks them. A lookup (warehouse/data.py, LOOKUPS): the reader reads every
-- school's once per snapshot and answers each ask from memory (as part of the Groups and gaps query, the same
-- test of dates cost a school's view 1.5 ms).
select distinct d.school_code, d.assessment_point, i.upn
from dim_assessment_point d
join fct_intervention i
    on i.school_code = d.school_code
   and i.start_date < make_date(d.academic_year_start + 1, 9, 1)
   and (i.end_date is null or i.end_date >= make_date(d.academic_year_start, 9, 1))
where ($school is null or d.school_code = $school)
  and ($assessment_point is null or d.assessment_point = $assessment_point)
  and ($scope_schools is null or list_contains($scope_schools, d.school_code))
  and ($scope_upns is null or list_contains($scope_upns, i.upn))
order by d.school_code, d.assessment_point, i.upn
