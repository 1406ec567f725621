-- Who still has to enter grades, by subject, at one drop ($assessment_point null: all drops):
-- the subject's pupils across all its classes expected at the drop, grades entered and
-- missing, and the classes still to complete (with how many grades each is missing).
-- Only subjects with grades still to enter.
with classes as (
    select * from completeness_by_class(cast($assessment_point as varchar))
),

final as (
    select
        school_code,
        assessment_point,
        subject_code,
        coalesce(subject_name, subject_code) as subject_name,
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
order by grades_missing desc, school_code, assessment_point, subject_name
