-- Staff.
with staff as (
    select * from stg_staff
),

final as (
    select
        school_code,
        staff_code,
        title,
        forename,
        surname,
        trim(coalesce(title || ' ', '') || coalesce(left(forename, 1) || ' ', '') || surname) as staff_name,
        email
    from staff
)

select * from final
