-- On track by subject at one drop, for the chosen pupils.
select
    m.subject_code,
    m.subject_name,
    count(m.status) as graded_with_target,
    round(100.0 * count(*) filter (where m.status in ('ahead', 'on_track')) / nullif(count(m.status), 0), 1)
        as pct_on_track,
    round(100.0 * count(*) filter (where m.status in ('below', 'well_below')) / nullif(count(m.status), 0), 1)
        as pct_below,
    mean_of_total(gap_total(m.gap_grades), count(m.gap_grades)) as mean_gap_grades
from mart_progress m
semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                      $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v using (school_code, upn)
where m.school_code = $school and m.assessment_point = $assessment_point
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
group by all
having count(m.status) > 0
order by pct_on_track, m.subject_name
