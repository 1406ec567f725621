-- KS4 headline measures for each school, assessment point, basis and year group:
-- averages, proportions at each threshold (the 2008 guide's "5+ including English
-- and maths" family) and the school's estimated Progress 8: the mean of its
-- pupils' P8 scores, with a 95% confidence interval of
-- +/- 1.96 x the national pupil P8 standard deviation / sqrt(pupils) (DfE).
with pupils as (
    select * from mart_ks4_pupil
),

estimates as (
    select any_value(p8_pupil_sd) as p8_pupil_sd, any_value(p8_table) as p8_table from int_a8_estimate
),

final as (
    select
        p.school_code,
        p.assessment_point,
        p.academic_year,
        p.point_sequence,
        p.basis,
        p.year_group,
        count(*) as pupils,
        round(avg(p.attainment8), 2) as avg_attainment8,
        sum(p.attainment8) as attainment8_sum,   -- unrounded: the Overview shows the mean to 1 place
        round(avg(p.a8_english), 2) as avg_a8_english,
        round(avg(p.a8_maths), 2) as avg_a8_maths,
        round(avg(p.a8_ebacc), 2) as avg_a8_ebacc,
        round(avg(p.a8_open), 2) as avg_a8_open,
        count(p.p8_estimate) as p8_pupils,
        count(*) filter (where p.baseline_source = 'alternative') as p8_pupils_alternative_baseline,
        round(avg(p.p8_estimate_exact), 2) as p8_estimate,
        round(avg(p.p8_estimate_exact) - 1.96 * any_value(e.p8_pupil_sd) / sqrt(count(p.p8_estimate_exact)), 2)
            as p8_ci_lower,
        round(avg(p.p8_estimate_exact) + 1.96 * any_value(e.p8_pupil_sd) / sqrt(count(p.p8_estimate_exact)), 2)
            as p8_ci_upper,
        any_value(e.p8_table) as p8_table,
        count(*) filter (where p.basics_4) as basics_4_pupils,
        round(100.0 * count(*) filter (where p.basics_4) / count(*), 1) as pct_basics_4,
        count(*) filter (where p.basics_5) as basics_5_pupils,
        round(100.0 * count(*) filter (where p.basics_5) / count(*), 1) as pct_basics_5,
        count(*) filter (where p.five_plus_4_inc_em) as five_plus_4_inc_em_pupils,
        round(100.0 * count(*) filter (where p.five_plus_4_inc_em) / count(*), 1) as pct_five_plus_4_inc_em,
        count(*) filter (where p.five_plus_5_inc_em) as five_plus_5_inc_em_pupils,
        round(100.0 * count(*) filter (where p.five_plus_5_inc_em) / count(*), 1) as pct_five_plus_5_inc_em,
        count(*) filter (where p.ebacc_entered) as ebacc_entered_pupils,
        round(100.0 * count(*) filter (where p.ebacc_entered) / count(*), 1) as pct_ebacc_entered,
        round(avg(p.ebacc_aps), 2) as avg_ebacc_aps
    from pupils p
    cross join estimates e
    group by all
)

select * from final
