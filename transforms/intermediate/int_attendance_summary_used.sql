-- The imported attendance summaries that count: those with none of the pupil's
-- register marks in their period (marks are counted instead), and whose period
-- no other summary of the pupil contains (a year-to-date export to Easter
-- replaces the one to Christmas).
select s.*
from fct_attendance_summary s
where not exists (
    select 1 from fct_attendance_session m
    where m.school_code = s.school_code and m.upn = s.upn
      and m.session_date between s.from_date and s.to_date
)
  and not exists (
    select 1 from fct_attendance_summary w
    where w.school_code = s.school_code and w.upn = s.upn
      and w.from_date <= s.from_date and w.to_date >= s.to_date
      and (w.from_date, w.to_date) <> (s.from_date, s.to_date)
)
