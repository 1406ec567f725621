-- Staff: the latest row of each member of staff.
with source as (
    select * from raw_staff
),

latest as (
    select *
    from source
    qualify row_number() over (partition by school_code, staff_code order by _batch_id desc, _row_number desc) = 1
),

final as (
    select
        school_code,
        staff_code,
        title,
        forename,
        surname,
        email,
        _batch_id as batch_id
    from latest
)

select * from final
