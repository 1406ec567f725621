-- A drop's date and the start (1 September) of its academic year. A lookup (warehouse/data.py, LOOKUPS):
-- the reader reads every school's drops once per snapshot and answers each ask from memory.
select school_code, assessment_point, point_date, make_date(academic_year_start, 9, 1) as year_start
from dim_assessment_point
where ($school is null or school_code = $school)
  and ($assessment_point is null or assessment_point = $assessment_point)
order by school_code, assessment_point
