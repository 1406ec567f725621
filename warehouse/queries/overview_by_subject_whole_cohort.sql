-- overview_by_subject for a whole year group (or the whole school), or a standard subgroup of it, for a viewer
-- of the whole school: the same figures, summed from mart_cohort_progress.
select
    c.subject_code,
    s.subject_name,
    cast(sum(c.graded_with_target) as bigint) as graded_with_target,
    round(100.0 * sum(c.on_track_or_ahead) / nullif(sum(c.graded_with_target), 0), 1) as pct_on_track,
    round(100.0 * sum(c.below_or_well_below) / nullif(sum(c.graded_with_target), 0), 1) as pct_below,
    mean_of_total(sum(c.gap_grades_sum), sum(c.gap_grades_count)) as mean_gap_grades
from cohort_counts($scope_schools, $school, $assessment_point, $year_group, $disadvantaged, $sen_status, $gender,
                   $prior_attainment_band) c
join dim_subject s using (school_code, subject_code)
where c.assessment_point = $assessment_point
group by all
having sum(c.graded_with_target) > 0
order by pct_on_track, s.subject_name
