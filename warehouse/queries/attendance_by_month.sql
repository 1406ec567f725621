-- Attendance month by month between two dates for the pupils of a view, from register marks.
select
    date_trunc('month', m.session_date) as month,
    count(distinct m.upn) as pupils,
    count(*) filter (where m.is_possible) as possible_sessions,
    count(*) filter (where m.is_present) as present_sessions,
    round(100.0 * count(*) filter (where m.is_present) / nullif(count(*) filter (where m.is_possible), 0), 1)
        as attendance_pct
from fct_attendance_session m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v
    using (school_code, upn)
where m.school_code = $school and m.session_date between $from_date and $to_date
group by all
order by month
