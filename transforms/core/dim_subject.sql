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
        effort_scale,
        -- The subject's place in its school's list by name (as mart_pupil's name_order, for pupils).
        row_number() over (partition by school_code order by subject_name, subject_code) as name_order
    from subjects
)

select * from final
