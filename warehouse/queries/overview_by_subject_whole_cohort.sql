-- overview_by_subject for a whole year group (or the whole school), or a standard subgroup of it, for a viewer
-- of the whole school: the same figures, summed from mart_cohort_progress.
with chosen as (
    select academic_year_start(academic_year) as start from dim_assessment_point
    where school_code = $school and assessment_point = $assessment_point
)

select
    c.subject_code,
    s.subject_name,
    cast(sum(c.graded_with_target) as bigint) as graded_with_target,
    round(100.0 * sum(c.on_track_or_ahead) / nullif(sum(c.graded_with_target), 0), 1) as pct_on_track,
    round(100.0 * sum(c.below_or_well_below) / nullif(sum(c.graded_with_target), 0), 1) as pct_below,
    mean_of_total(sum(c.gap_grades_sum), sum(c.gap_grades_count)) as mean_gap_grades
from mart_cohort_progress c
join dim_subject s using (school_code, subject_code)
where c.school_code = $school and c.assessment_point = $assessment_point
  and ($scope_schools is null or list_contains($scope_schools, $school))
  and ($year_group is null or c.year7_start = (select start from chosen) - $year_group + 7)
  and ($disadvantaged is null or c.disadvantaged = $disadvantaged)
  and ($sen_status is null or c.sen_status = $sen_status)
  and ($gender is null or c.gender = $gender)
  and ($prior_attainment_band is null or c.prior_attainment_band = $prior_attainment_band)
group by all
having sum(c.graded_with_target) > 0
order by pct_on_track, s.subject_name
