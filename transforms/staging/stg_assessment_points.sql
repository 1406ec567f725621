-- Assessment points (data drops): the latest row of each.
with source as (
    select * from raw_assessment_points
),

latest as (
    select *
    from source
    qualify row_number() over (partition by school_code, assessment_point order by _batch_id desc, _row_number desc) = 1
),

final as (
    select
        school_code,
        assessment_point,
        academic_year,
        term,
        cast(date as date) as point_date,
        coalesce(point_kind, 'drop') as point_kind,
        _batch_id as batch_id
    from latest
)

select * from final
