-- overview_progress for a whole year group (or the whole school: $year_group null), or a standard subgroup
-- of it (not a school's own group), for a viewer of the whole school: the same figures, summed from
-- mart_cohort_progress (tens of rows a drop) rather than counted from every grade. The pupils are those in
-- the year group at the chosen drop, followed across drops, as view_pupils takes them; one subject
-- ($subject_code) or all together.
select
    c.assessment_point,
    c.academic_year,
    c.point_sequence,
    cast(sum(c.pupils) as bigint) as pupils,
    cast(sum(c.graded_with_target) as bigint) as graded_with_target,
    cast(sum(c.on_track_or_ahead) as bigint) as on_track_or_ahead,
    round(100.0 * sum(c.on_track_or_ahead) / nullif(sum(c.graded_with_target), 0), 1) as pct_on_track,
    round(100.0 * sum(c.well_below) / nullif(sum(c.graded_with_target), 0), 1) as pct_well_below,
    mean_of_total(sum(c.gap_grades_sum), sum(c.gap_grades_count)) as mean_gap_grades
from cohort_counts($scope_schools, $school, $assessment_point, $year_group, $disadvantaged, $sen_status, $gender,
                   $prior_attainment_band) c
where c.subject_code is not distinct from $subject_code
group by all
order by c.point_sequence
