-- Targets and estimates as a history; the latest of each is the current one. Targets set in the tracker
-- (staff_targets, from the staff store) join the imported ones: on the same day, the tracker's is the later.
with targets as (
    select *, null::bigint as staff_target_id from stg_targets
    union all by name
    select
        school_code,
        upn,
        subject_code,
        'target' as target_kind,
        grade,
        'tracker' as target_source,
        set_by,
        cast(set_on as date) as set_on,
        reason,
        id as staff_target_id
    from staff_targets
    where (school_code, upn) in (select (school_code, upn) from dim_pupil)
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
            order by t.set_on desc, t.staff_target_id desc nulls last, t.batch_id desc
        ) = 1 as is_current,
        t.batch_id,
        t.staff_target_id
    from targets t
    join dim_subject s using (school_code, subject_code)
    left join scales g on g.scale_code = s.grade_scale and g.label = t.grade
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, upn, subject_code
