-- Targets and estimates as a history; the latest of each is the current one.
with targets as (
    select * from stg_targets
),

scales as (
    select scale_code, label, cast(points as double) as points from ref_grade_scales
),

final as (
    select
        t.school_code,
        t.upn,
        t.subject_code,
        t.target_kind,
        t.grade,
        g.points as grade_points,
        t.target_source,
        t.set_by,
        t.set_on,
        t.reason,
        -- Targets: one current target per pupil and subject, whoever set it.
        -- Estimates: one current estimate per source (e.g. FFT50, FFT20).
        row_number() over (
            partition by t.school_code, t.upn, t.subject_code, t.target_kind,
                         case when t.target_kind = 'estimate' then t.target_source end
            order by t.set_on desc, t.batch_id desc
        ) = 1 as is_current,
        t.batch_id
    from targets t
    join dim_subject s using (school_code, subject_code)
    left join scales g on g.scale_code = s.grade_scale and g.label = t.grade
)

select * from final
