-- One pupil's attendance by academic year (DfE definitions, mart_attendance_pupil).
-- The pupil asked, not each row's, is looked for in the viewer's list: the rows are that pupil's, and
-- DuckDB plans a list of hundreds compared with a column as an IN list (about 1 ms a query for a head of year).
select academic_year, counted_from, possible_sessions, present_sessions, authorised_absence_sessions,
       unauthorised_absence_sessions, attendance_pct, persistent_absent, severe_absent
from mart_attendance_pupil
where school_code = $school and upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and ($scope_upns is null or list_contains($scope_upns, $upn))   -- the pupil asked (see above)
order by academic_year
