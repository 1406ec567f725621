-- One pupil's attendance by academic year (DfE definitions, mart_attendance_pupil).
select academic_year, counted_from, possible_sessions, present_sessions, authorised_absence_sessions,
       unauthorised_absence_sessions, attendance_pct, persistent_absent, severe_absent
from mart_attendance_pupil
where school_code = $school and upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and ($scope_upns is null or list_contains($scope_upns, upn))
order by academic_year
