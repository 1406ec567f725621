-- Who still has to enter grades, by teacher, at one drop ($assessment_point null: all drops):
-- the teacher's pupils across all their classes expected at the drop, grades entered and
-- missing, and the classes still to complete (with how many grades each is missing).
-- Only teachers with grades still to enter.
with classes as (
    select * from completeness_by_class(cast($assessment_point as varchar))
),

final as (
    select
        school_code,
        assessment_point,
        teacher_code,
        coalesce(teacher_name, teacher_code, 'No teacher recorded') as teacher_name,
        string_agg(class_code || ' (' || grades_missing || ')', ', ' order by class_code)
            filter (where grades_missing > 0) as classes_to_complete,
        count(*) as classes,
        cast(sum(pupils) as bigint) as pupils,
        cast(sum(grades_entered) as bigint) as grades_entered,
        cast(sum(grades_missing) as bigint) as grades_missing,
        round(100.0 * sum(grades_entered) / sum(pupils), 1) as pct_entered
    from classes
    group by all
    having sum(grades_missing) > 0
)

select * from final
order by grades_missing desc, school_code, assessment_point, teacher_name
