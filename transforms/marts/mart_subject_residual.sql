-- Subject residuals: how a pupil does in a subject compared with their own other
-- subjects at the same point: their grade in the subject minus the mean of their
-- grades in their other subjects of the same key stage, each in grades of its
-- own scale (points / grade_width, so a percentage subject sits beside GCSE ones). One row per pupil x subject x assessment point (working-at
-- grades; pupils with at least one other subject graded). Averaged by subject,
-- class or teacher, it shows where pupils do better or worse than they do elsewhere.
with grades as (
    select *, points / grade_width as grade_value
    from int_ks_grade where grade_type = 'working_at' and grade_entered
),

with_others as (
    select
        *,
        sum(grade_value) over pupil_point as grades_all,
        count(*) over pupil_point as subjects_all
    from grades
    window pupil_point as (partition by school_code, upn, assessment_point, key_stage)
),

final as (
    select
        school_code,
        upn,
        subject_code,
        assessment_point,
        academic_year,
        point_sequence,
        year_group,
        key_stage,
        class_code,
        teacher_code,
        points,
        subjects_all - 1 as other_subjects,
        round(grade_value, 4) as grade_value,
        round((grades_all - grade_value) / (subjects_all - 1), 4) as other_subjects_mean_grades,
        round(grade_value - (grades_all - grade_value) / (subjects_all - 1), 4) as residual_grades
    from with_others
    where subjects_all > 1
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, upn, subject_code
