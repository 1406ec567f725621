-- A drop's date and the start (1 September) of its academic year.
select point_date, make_date(academic_year_start, 9, 1) as year_start
from dim_assessment_point
where school_code = $school and assessment_point = $assessment_point
