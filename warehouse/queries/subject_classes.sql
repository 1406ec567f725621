-- This year's classes (the school's latest academic year) and their subjects, within the viewer's subjects.
select class_code, subject_code
from dim_class
where school_code = $school
  and academic_year = (select max(academic_year) from dim_class where school_code = $school)
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and ($scope_subjects is null or list_contains($scope_subjects, subject_code))
order by class_code
