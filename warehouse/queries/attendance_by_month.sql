-- Attendance month by month between two dates for the pupils of a view, from register marks: the months
-- wholly inside the dates from each pupil's counts (mart_attendance_pupil_month), the part-months at either
-- end mark by mark.
with pupils as (
    select * from view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                              $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group)
),

whole_months as (
    select
        m.month,
        count(*) as pupils,
        sum(m.possible_sessions) as possible_sessions,
        sum(m.present_sessions) as present_sessions
    from mart_attendance_pupil_month m
    semi join pupils using (school_code, upn)
    where m.school_code = $school
      and m.month between first_whole_month($from_date) and last_whole_month($to_date)
    group by all
),

part_months as (
    select
        cast(date_trunc('month', m.session_date) as date) as month,
        count(distinct m.upn) as pupils,
        count(*) filter (where m.is_possible) as possible_sessions,
        count(*) filter (where m.is_present) as present_sessions
    from fct_attendance_session m
    semi join pupils using (school_code, upn)
    where m.school_code = $school and m.session_date between $from_date and $to_date
      and (m.session_date < first_whole_month($from_date)
           or m.session_date >= last_whole_month($to_date) + interval 1 month)
    group by all
)

select
    month,
    pupils,
    cast(possible_sessions as bigint) as possible_sessions,
    cast(present_sessions as bigint) as present_sessions,
    round(100.0 * present_sessions / nullif(possible_sessions, 0), 1) as attendance_pct
from (select * from whole_months union all select * from part_months)
order by month
