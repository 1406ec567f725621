-- Headline progress at each drop of a school for the chosen pupils (the year
-- group they were in at the chosen drop, followed across drops): on track
-- (ahead or on track) as a share of graded subjects with a progress target,
-- and the mean gap to the progress target in grades. One row per drop, so the
-- page shows the chosen drop and the trend.
select
    m.assessment_point,
    m.academic_year,
    m.point_sequence,
    count(distinct m.upn) as pupils,
    count(m.status) as graded_with_target,
    count(*) filter (where m.status in ('ahead', 'on_track')) as on_track_or_ahead,
    round(100.0 * count(*) filter (where m.status in ('ahead', 'on_track')) / nullif(count(m.status), 0), 1)
        as pct_on_track,
    round(100.0 * count(*) filter (where m.status = 'well_below') / nullif(count(m.status), 0), 1)
        as pct_well_below,
    mean_of_total(gap_total(m.gap_grades), count(m.gap_grades)) as mean_gap_grades
from mart_progress m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v using (school_code, upn)
where m.school_code = $school
  and ($subject_code is null or m.subject_code = $subject_code)
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
group by all
order by m.point_sequence
