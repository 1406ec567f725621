-- Class memberships: the latest row of each pupil in each class and year.
with source as (
    select * from raw_teaching_groups
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, academic_year, class_code, upn order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        academic_year,
        class_code,
        subject_code,
        teacher_code,
        upn,
        _batch_id as batch_id
    from latest
)

select * from final
