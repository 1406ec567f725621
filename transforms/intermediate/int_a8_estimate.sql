-- The DfE Attainment 8 estimates chosen in settings (measures.p8_table_year and
-- p8_table_version), one row per KS2 prior-attainment group, with the group's
-- KS2 average range. Source: DfE KS4 ready reckoner (warehouse/reference/dfe_ks4/).
with estimates as (
    select * from ref_a8_estimates
),

-- Group ranges are the same in every table; the 2022 provisional file leaves them out.
ranges as (
    select ks2_prior_attainment_group,
           cast(split_part(max(ks2_avg_scaled_score_range), ' to ', 1) as double) as ks2_lower,
           cast(split_part(max(ks2_avg_scaled_score_range), ' to ', 2) as double) as ks2_upper
    from estimates
    where ks2_avg_scaled_score_range <> ''
    group by all
),

final as (
    select
        cast(e.ks2_prior_attainment_group as integer) as ks2_group,
        r.ks2_lower,
        r.ks2_upper,
        cast(e.a8_estimate as double) as a8_estimate,
        cast(e.english_element_estimate as double) as english_estimate,
        cast(e.maths_element_estimate as double) as maths_estimate,
        cast(e.ebacc_element_estimate as double) as ebacc_estimate,
        cast(e.open_element_estimate as double) as open_estimate,
        cast(e.p8_pupil_sd as double) as p8_pupil_sd,
        e.exam_year || ' ' || e.version as p8_table
    from estimates e
    join ranges r using (ks2_prior_attainment_group)
    where e.exam_year = setting('measures.p8_table_year')
      and e.version = setting('measures.p8_table_version')
)

select * from final
