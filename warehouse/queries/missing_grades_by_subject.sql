-- Who still has to enter grades, by subject, at one drop ($assessment_point null: all drops):
-- the subject's pupils across all its classes expected at the drop, grades entered and
-- missing, and the classes still to complete (with how many grades each is missing).
-- Only subjects with grades still to enter.
with classes as (
    -- one row per class (the mart has one per class and year group: mixed-year classes have several)
    select school_code, assessment_point, subject_code, subject_name, class_code, sum(pupils) as pupils,
           sum(grades_entered) as grades_entered, sum(grades_missing) as grades_missing
    from mart_assessment_completeness
    where cast($assessment_point as varchar) is null or assessment_point = cast($assessment_point as varchar)
    group by all
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
    group by school_code, assessment_point, subject_code, subject_name
    having sum(grades_missing) > 0
)

select * from final
order by grades_missing desc, school_code, assessment_point, subject_name
