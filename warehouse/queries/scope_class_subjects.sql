-- The subjects a teacher's classes are in (each school's latest year): what a teacher may see of a pupil.
select distinct c.subject_code
from dim_class c
where ($schools is null or list_contains($schools, c.school_code))
  and list_contains($classes, c.class_code)
  and c.academic_year = (select max(x.academic_year) from dim_class x where x.school_code = c.school_code)
order by c.subject_code
