-- One pupil's targets and imported estimates as a history: who set each, when and why.
-- The pupil asked, not each row's, is looked for in the viewer's list: the rows are that pupil's, and
-- DuckDB plans a list of hundreds compared with a column as an IN list (about 1 ms a query for a head of year).
select s.subject_name, t.target_kind, t.grade, t.target_source, t.set_by, t.set_on, t.reason, t.is_current
from fct_target t
join dim_subject s using (school_code, subject_code)
where t.school_code = $school and t.upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, t.school_code))
  and ($scope_upns is null or list_contains($scope_upns, $upn))   -- the pupil asked (see above)
  and ($scope_subjects is null or list_contains($scope_subjects, t.subject_code))
order by s.subject_name, t.target_kind, t.set_on desc
