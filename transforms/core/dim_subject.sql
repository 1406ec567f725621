-- Subjects with their scales.
with subjects as (
    select * from stg_subjects
),

final as (
    select
        school_code,
        subject_code,
        subject_name,
        key_stage,
        qualification,
        ebacc_category,
        a8_eligible,
        grade_scale,
        effort_scale
    from subjects
)

select * from final
