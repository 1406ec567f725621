-- Each pupil's register marks counted month by month (DfE categories, as fct_attendance_session): the
-- Attendance page's figures between two dates add up the months wholly inside them and count only the
-- marks of the part-months at either end, a tenth of the marks, not every one (warehouse/queries/
-- attendance_between.sql, attendance_by_month.sql).
select
    school_code,
    upn,
    cast(date_trunc('month', session_date) as date) as month,
    count(*) as sessions,
    count(*) filter (where is_possible) as possible_sessions,
    count(*) filter (where is_present) as present_sessions,
    count(*) filter (where is_authorised_absence) as authorised_absence_sessions,
    count(*) filter (where is_unauthorised_absence) as unauthorised_absence_sessions
from fct_attendance_session
group by all
-- In school order, as the marks: a school's queries then read only its own row groups.
order by school_code, month, upn
