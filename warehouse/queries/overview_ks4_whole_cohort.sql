-- overview_ks4 for a whole year group (Year 11 unless 10 is chosen), with no subgroup filter, for a viewer of
-- the whole school: the same figures, from mart_ks4_school (a row per basis).
select
    k.basis,
    k.pupils,
    round(k.attainment8_sum / k.pupils, 1) as avg_attainment8,
    k.p8_pupils,
    k.p8_estimate,
    k.p8_ci_lower,
    k.p8_ci_upper,
    k.p8_table,
    k.pct_basics_4,
    k.pct_basics_5,
    k.pct_five_plus_4_inc_em,
    k.pct_ebacc_entered
from mart_ks4_school k
where k.school_code = $school and k.assessment_point = $assessment_point
  and ($scope_schools is null or list_contains($scope_schools, $school))
  and k.year_group = coalesce($year_group, 11)
order by case k.basis when 'working_at' then 1 when 'predicted' then 2 when 'target' then 3 when 'mock' then 4
         else 5 end
