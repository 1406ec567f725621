-- One pupil's working-at grades at every drop, with targets, progress targets
-- and status, for the Pupil page's subjects table and trajectories.
-- The pupil asked, not each row's, is looked for in the viewer's list: the rows are that pupil's, and
-- DuckDB plans a list of hundreds compared with a column as an IN list (about 1 ms a query for a head of year).
select
    m.subject_code,
    m.subject_name,
    m.assessment_point,
    m.point_date,
    m.point_sequence,
    m.year_group,
    m.working_at,
    m.working_at_points,
    m.target,
    m.target_points,
    m.current_target,
    round(m.progress_target_points, 2) as progress_target_points,
    m.gap_grades,
    m.status,
    m.effort,
    m.progress_method,
    m.class_code,
    m.teacher_name as teacher
from mart_progress m
where m.school_code = $school and m.upn = $upn
  and ($scope_schools is null or list_contains($scope_schools, m.school_code))
  and ($scope_upns is null or list_contains($scope_upns, $upn))   -- the pupil asked (see above)
  and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
order by m.subject_name, m.point_sequence
