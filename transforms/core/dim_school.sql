-- Schools: every school code that any export has named.
with codes as (
    select school_code from stg_pupils
    union
    select school_code from stg_subjects
    union
    select school_code from stg_assessment_points
),

final as (
    select school_code from codes
)

select * from final order by school_code
