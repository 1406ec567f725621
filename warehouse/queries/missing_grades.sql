-- Classes with working-at grades still to enter at one drop ($assessment_point null: all drops).
select
    school_code,
    assessment_point,
    class_code,
    subject_name,
    teacher_name,
    year_group,
    pupils,
    grades_entered,
    grades_missing,
    pct_entered
from mart_assessment_completeness
where grades_missing > 0
  and (cast($assessment_point as varchar) is null or assessment_point = cast($assessment_point as varchar))
order by grades_missing desc, school_code, assessment_point, class_code
