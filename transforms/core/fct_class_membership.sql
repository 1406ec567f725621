-- Which pupils are in which class, by year.
with memberships as (
    select * from stg_teaching_groups
),

final as (
    select
        m.school_code,
        m.academic_year,
        m.class_code,
        c.subject_code,
        c.teacher_code,
        m.upn
    from memberships m
    join dim_class c using (school_code, academic_year, class_code)
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, academic_year, class_code
