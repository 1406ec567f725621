-- Attendance in the academic year of the chosen drop, for the chosen pupils: sessions-weighted attendance %, and the
-- shares persistently (>= 10%) and severely (>= 50%) absent (DfE).
select
    count(*) as pupils,
    round(100.0 * sum(a.present_sessions) / nullif(sum(a.possible_sessions), 0), 1) as attendance_pct,
    round(100.0 * count(*) filter (where a.persistent_absent) / nullif(count(*), 0), 1) as pct_persistent_absent,
    round(100.0 * count(*) filter (where a.severe_absent) / nullif(count(*), 0), 1) as pct_severe_absent
from mart_attendance_pupil a
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v using (school_code, upn)
where a.school_code = $school
  and a.academic_year = (select academic_year from dim_assessment_point
                         where school_code = $school and assessment_point = $assessment_point)
