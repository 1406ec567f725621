-- Subject residuals: how a pupil does in a subject compared with their own other
-- subjects at the same point: their grade in the subject minus the mean of their
-- grades in their other subjects of the same key stage, each in grades of its
-- own scale (points / grade_width, so a percentage subject sits beside GCSE ones).
-- One row per pupil x subject x assessment point (working-at grades; pupils with
-- at least one other subject graded). Averaged by subject, class or teacher, it
-- shows where pupils do better or worse than they do elsewhere. Computed with the
-- grades in mart_progress (its residual columns); these are its rows that have one.
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
    working_at_points as points,
    other_subjects,
    grade_value,
    other_subjects_mean_grades,
    residual_grades
from mart_progress
where other_subjects is not null
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, upn, subject_code
