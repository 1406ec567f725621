-- One pupil's register marks between two dates (inclusive), one row per possible session: for the
-- pattern of their absence by day of the week and by week (DfE categories, fct_attendance_session).
select
    session_date,
    session,
    mark,
    mark_category,
    is_present,
    is_authorised_absence,
    is_unauthorised_absence
from fct_attendance_session
where school_code = $school and upn = $upn and is_possible
  and session_date between $from_date and $to_date
  and ($scope_schools is null or list_contains($scope_schools, school_code))
  and ($scope_upns is null or list_contains($scope_upns, upn))
order by session_date, session
