-- Subjects: the latest row of each subject.
with source as (
    select * from raw_subjects
),

latest as (
    select *
    from source
    qualify row_number() over (partition by school_code, subject_code order by _batch_id desc, _row_number desc) = 1
),

final as (
    select
        school_code,
        subject_code,
        subject_name,
        cast(key_stage as integer) as key_stage,
        qualification,
        coalesce(ebacc_category, 'none') as ebacc_category,
        coalesce(yes(a8_eligible), false) as a8_eligible,
        grade_scale,
        effort_scale,
        _batch_id as batch_id
    from latest
)

select * from final
