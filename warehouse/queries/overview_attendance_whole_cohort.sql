-- overview_attendance for a whole year group (or the whole school), or a standard subgroup of it, for a viewer
-- of the whole school: the same figures, summed from mart_trust_attendance (rows per year group and subgroup).
select
    cast(coalesce(sum(a.pupils), 0) as bigint) as pupils,
    round(100.0 * sum(a.present_sessions) / nullif(sum(a.possible_sessions), 0), 1) as attendance_pct,
    round(100.0 * sum(a.persistent_absent_pupils) / nullif(sum(a.pupils), 0), 1) as pct_persistent_absent,
    round(100.0 * sum(a.severe_absent_pupils) / nullif(sum(a.pupils), 0), 1) as pct_severe_absent
from mart_trust_attendance a
where a.school_code = $school
  and ($scope_schools is null or list_contains($scope_schools, $school))
  and ($year_group is null or a.year_group = $year_group)
  and ($disadvantaged is null or a.disadvantaged = $disadvantaged)
  and ($sen_status is null or a.sen_status = $sen_status)
  and ($gender is null or a.gender = $gender)
  and ($prior_attainment_band is null or a.prior_attainment_band = $prior_attainment_band)
  and a.academic_year = (select academic_year from dim_assessment_point
                         where school_code = $school and assessment_point = $assessment_point)
