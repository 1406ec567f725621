-- Assessment points, numbered in date order within each school.
with points as (
    select * from stg_assessment_points
),

final as (
    select
        school_code,
        assessment_point,
        academic_year,
        academic_year_start(academic_year) as academic_year_start,
        term,
        case term when 'autumn' then 1 when 'spring' then 2 when 'summer' then 3 end as term_number,
        point_date,
        point_kind,
        row_number() over (partition by school_code order by point_date, assessment_point) as point_sequence
    from points
)

select * from final
