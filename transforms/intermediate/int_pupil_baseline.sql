-- Each pupil's baseline on the KS2 scaled-score scale, and their DfE KS2
-- prior-attainment group. The KS2 average where the pupil has one (DfE: mean of
-- reading and maths, not rounded). Otherwise the alternative baseline (e.g. CAT
-- mean score) linked to the KS2 scale by matching the mean and standard deviation
-- of the school's pupils who have both (mean-sigma linking), so that pupils
-- without KS2 (the 2020 and 2021 tests were cancelled) still get predictions and
-- an estimated Progress 8, labelled with baseline_source = 'alternative'.
with pupils as (
    select * from dim_pupil
),

linking as (
    select school_code,
           count(*) as pupils_with_both,
           avg(ks2_average) as ks2_mean,
           stddev_samp(ks2_average) as ks2_sd,
           avg(alternative_baseline) as alternative_mean,
           stddev_samp(alternative_baseline) as alternative_sd
    from pupils
    where ks2_average is not null and alternative_baseline is not null
    group by school_code
    having count(*) >= setting_num('measures.baseline_link_min_pupils')
),

based as (
    select
        p.school_code,
        p.upn,
        p.ks2_average,
        p.alternative_baseline,
        case
            when p.ks2_average is not null then 'ks2'
            when p.alternative_baseline is not null and l.alternative_sd > 0 then 'alternative'
        end as baseline_source,
        case
            when p.ks2_average is not null then p.ks2_average
            when p.alternative_baseline is not null and l.alternative_sd > 0 then
                -- Kept within the range KS2 averages can take.
                least(120, greatest(80, l.ks2_mean + (p.alternative_baseline - l.alternative_mean) * l.ks2_sd / l.alternative_sd))
        end as baseline_ks2
    from pupils p
    left join linking l using (school_code)
),

final as (
    select
        b.*,
        case
            when b.baseline_ks2 is null then null
            when b.baseline_ks2 < 100 then 'low'
            when b.baseline_ks2 < 110 then 'middle'
            else 'high'
        end as baseline_band,
        -- DfE: the pupil's group is the first whose upper bound the average does not exceed.
        (select min(e.ks2_group) from int_a8_estimate e where b.baseline_ks2 <= e.ks2_upper) as ks2_group
    from based b
)

select * from final
