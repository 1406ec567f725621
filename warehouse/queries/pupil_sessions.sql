-- One pupil's register marks between two dates (inclusive), one row per possible session: for the
-- pattern of their absence by day of the week and by week (DfE categories, fct_attendance_session).
-- The pupil asked, not each row's, is looked for in the viewer's list: the rows are that pupil's, and
-- DuckDB plans a list of hundreds compared with a column as an IN list (about 1 ms a query for a head of year).
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
  and ($scope_upns is null or list_contains($scope_upns, $upn))   -- the pupil asked (see above)
order by session_date, session
