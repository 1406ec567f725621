-- Classes (teaching groups) with their subject and teacher in each year.
with memberships as (
    select * from stg_teaching_groups
),

final as (
    select
        school_code,
        academic_year,
        class_code,
        -- A class belongs to one subject; its teacher is the one most rows name.
        mode(subject_code) as subject_code,
        mode(teacher_code) as teacher_code,
        count(*) as pupils
    from memberships
    group by school_code, academic_year, class_code
)

select * from final
