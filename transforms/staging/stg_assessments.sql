-- materialise: view
-- Assessments: the latest grade of each pupil x subject x drop x grade type.
with source as (
    select * from raw_assessments
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, upn, subject_code, assessment_point, grade_type
        order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        upn,
        subject_code,
        assessment_point,
        grade_type,
        grade,
        effort,
        _batch_id as batch_id
    from latest
)

select * from final
