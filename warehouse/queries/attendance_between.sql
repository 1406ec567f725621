-- Attendance per pupil between two dates (inclusive), for the pupils of a view
-- (scope and filters; null = all the school's pupils), by the DfE definitions
-- (see mart_attendance_pupil). From register marks; for periods with only
-- imported summaries, the summaries lying wholly inside the range. With each
-- pupil's groups and mean gap to target at the drop, which the Attendance page
-- splits and plots against attendance.
with pupils as (
    select * from view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                              $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group)
),

-- The register marks: months wholly inside the dates from their counts, the part-months at either end mark
-- by mark.
marks as (
    select school_code, upn, possible_sessions, present_sessions, authorised_absence_sessions,
           unauthorised_absence_sessions
    from mart_attendance_pupil_month
    semi join pupils using (school_code, upn)
    where school_code = $school
      and month between first_whole_month($from_date) and last_whole_month($to_date)
    union all
    select school_code, upn,
           count(*) filter (where is_possible) as possible_sessions,
           count(*) filter (where is_present) as present_sessions,
           count(*) filter (where is_authorised_absence) as authorised_absence_sessions,
           count(*) filter (where is_unauthorised_absence) as unauthorised_absence_sessions
    from fct_attendance_session
    semi join pupils using (school_code, upn)
    where school_code = $school and session_date between $from_date and $to_date
      and (session_date < first_whole_month($from_date)
           or session_date >= last_whole_month($to_date) + interval 1 month)
    group by all
),

summaries as (
    select s.school_code, s.upn,
           sum(s.possible_sessions) as possible_sessions,
           sum(s.present_sessions) as present_sessions,
           sum(s.authorised_absence_sessions) as authorised_absence_sessions,
           sum(s.unauthorised_absence_sessions) as unauthorised_absence_sessions
    from fct_attendance_summary s
    semi join pupils using (school_code, upn)
    where s.school_code = $school and s.from_date >= $from_date and s.to_date <= $to_date
      -- As mart_attendance_pupil: not where register marks fall in the summary's
      -- period, nor where another summary's period contains it.
      and not exists (select 1 from fct_attendance_session m
                      where m.school_code = s.school_code and m.upn = s.upn
                        and m.session_date between s.from_date and s.to_date)
      and not exists (select 1 from fct_attendance_summary w
                      where w.school_code = s.school_code and w.upn = s.upn
                        and w.from_date <= s.from_date and w.to_date >= s.to_date
                        and (w.from_date, w.to_date) <> (s.from_date, s.to_date)
                        and w.from_date >= $from_date and w.to_date <= $to_date)
    group by all
),

counted as (
    select school_code, upn,
           cast(sum(possible_sessions) as bigint) as possible_sessions,
           cast(sum(present_sessions) as bigint) as present_sessions,
           cast(sum(authorised_absence_sessions) as bigint) as authorised_absence_sessions,
           cast(sum(unauthorised_absence_sessions) as bigint) as unauthorised_absence_sessions
    from (select * from marks union all select * from summaries)
    group by all
),

gaps as (   -- the school's gaps at the drop only (a correlated subquery would read every school's)
    select upn, round(avg(gap_grades), 2) as mean_gap_grades
    from mart_progress
    where school_code = $school and assessment_point = $assessment_point
    group by upn
)

select
    c.*,
    c.authorised_absence_sessions + c.unauthorised_absence_sessions as absence_sessions,
    round(100.0 * c.present_sessions / nullif(c.possible_sessions, 0), 1) as attendance_pct,
    c.possible_sessions > 0
        and 10 * (c.authorised_absence_sessions + c.unauthorised_absence_sessions) >= c.possible_sessions
        as persistent_absent,
    c.possible_sessions > 0
        and 2 * (c.authorised_absence_sessions + c.unauthorised_absence_sessions) >= c.possible_sessions
        as severe_absent,
    p.pupil_name, p.tutor_group, p.gender, p.disadvantaged, p.sen_status, p.eal, p.prior_attainment_band,
    p.custom_groups, g.mean_gap_grades
from counted c
join mart_pupil p using (school_code, upn)
left join gaps g using (upn)
order by c.upn
