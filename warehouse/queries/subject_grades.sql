-- The grades of each subject's scale, highest first: what a target in the subject may be.
select s.subject_code, s.subject_name, g.label as grade, cast(g.points as double) as points
from dim_subject s
join ref_grade_scales g on g.scale_code = s.grade_scale
where s.school_code = $school
  and ($scope_schools is null or list_contains($scope_schools, s.school_code))
  and ($scope_subjects is null or list_contains($scope_subjects, s.subject_code))
order by s.subject_name, points desc
