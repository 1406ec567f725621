-- One pupil's targets and imported estimates as a history: who set each, when and why.
select s.subject_name, t.target_kind, t.grade, t.target_source, t.set_by, t.set_on, t.reason, t.is_current
from fct_target t
join dim_subject s using (school_code, subject_code)
where t.school_code = $school and t.upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, t.school_code))
  and ($scope_upns is null or list_contains($scope_upns, t.upn))
  and ($scope_subjects is null or list_contains($scope_subjects, t.subject_code))
order by s.subject_name, t.target_kind, t.set_on desc
