-- KS4 headlines for the chosen Year 11 (or 10) pupils at one drop, on each
-- basis: Attainment 8, estimated Progress 8 with its 95% confidence interval
-- (DfE: +/- 1.96 x national pupil SD / sqrt(pupils)), Basics, 5+ including
-- English and maths, EBacc entry. From mart_ks4_pupil, so filters apply.
with pupils as (
    select k.*
    from mart_ks4_pupil k
    semi join view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                          $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) v using (school_code, upn)
    where k.school_code = $school and k.assessment_point = $assessment_point
      and k.year_group = coalesce($year_group, 11)
),

sd as (select any_value(p8_pupil_sd) as p8_pupil_sd, any_value(p8_table) as p8_table from int_a8_estimate)

select
    basis,
    count(*) as pupils,
    round(avg(attainment8), 1) as avg_attainment8,
    count(p8_estimate_exact) as p8_pupils,
    round(avg(p8_estimate_exact), 2) as p8_estimate,
    round(avg(p8_estimate_exact) - 1.96 * any_value(sd.p8_pupil_sd) / sqrt(count(p8_estimate_exact)), 2)
        as p8_ci_lower,
    round(avg(p8_estimate_exact) + 1.96 * any_value(sd.p8_pupil_sd) / sqrt(count(p8_estimate_exact)), 2)
        as p8_ci_upper,
    any_value(sd.p8_table) as p8_table,
    round(100.0 * count(*) filter (where basics_4) / count(*), 1) as pct_basics_4,
    round(100.0 * count(*) filter (where basics_5) / count(*), 1) as pct_basics_5,
    round(100.0 * count(*) filter (where five_plus_4_inc_em) / count(*), 1) as pct_five_plus_4_inc_em,
    round(100.0 * count(*) filter (where ebacc_entered) / count(*), 1) as pct_ebacc_entered
from pupils
cross join sd
group by basis
order by case basis when 'working_at' then 1 when 'predicted' then 2 when 'target' then 3 when 'mock' then 4 else 5 end
