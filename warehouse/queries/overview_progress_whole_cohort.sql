-- overview_progress for a whole year group (or the whole school: $year_group null), with no subgroup
-- filter, for a viewer of the whole school: the same figures, summed from mart_cohort_progress (a few
-- rows a drop) rather than counted from every grade. The pupils are those in the year group at the chosen
-- drop, followed across drops, as view_pupils takes them; one subject ($subject_code) or all together.
with chosen as (
    select academic_year_start(academic_year) as start from dim_assessment_point
    where school_code = $school and assessment_point = $assessment_point
)

select
    c.assessment_point,
    c.academic_year,
    c.point_sequence,
    cast(sum(c.pupils) as bigint) as pupils,
    cast(sum(c.graded_with_target) as bigint) as graded_with_target,
    cast(sum(c.on_track_or_ahead) as bigint) as on_track_or_ahead,
    round(100.0 * sum(c.on_track_or_ahead) / nullif(sum(c.graded_with_target), 0), 1) as pct_on_track,
    round(100.0 * sum(c.well_below) / nullif(sum(c.graded_with_target), 0), 1) as pct_well_below,
    round(sum(c.gap_grades_sum) / nullif(sum(c.gap_grades_count), 0), 2) as mean_gap_grades
from mart_cohort_progress c
where c.school_code = $school
  and ($scope_schools is null or list_contains($scope_schools, $school))
  and ($year_group is null or c.year7_start = (select start from chosen) - $year_group + 7)
  and c.subject_code is not distinct from $subject_code
group by all
order by c.point_sequence
