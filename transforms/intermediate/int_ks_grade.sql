-- Every grade placed in its pupil's run through a key stage: which run (the
-- academic year the key stage ends for the pupil) and which term of it
-- (1 = autumn of the first year ... 9 = summer of Year 9, 6 = summer of Year 11),
-- with the points that compute on the subject's scale.
with grades as (
    select * from fct_assessment
),

placed as (
    select
        a.school_code,
        a.upn,
        a.subject_code,
        a.assessment_point,
        a.grade_type,
        a.academic_year,
        a.point_date,
        a.point_sequence,
        a.year_group,
        a.class_code,
        a.teacher_code,
        s.key_stage,
        s.grade_scale,
        s.ebacc_category,
        coalesce(s.a8_eligible, false) as a8_eligible,
        academic_year_from_start(
            academic_year_start(a.academic_year) + ks_first_year(s.key_stage) + ks_years(s.key_stage) - 1 - a.year_group
        ) as ks_end_year,
        ks_term_index(s.key_stage, a.year_group, p.term_number) as term_index,
        ks_years(s.key_stage) * 3 as end_index,
        a.grade,
        a.grade_points as points,
        g.a8_points,
        w.grade_width,
        w.sublevel_width,
        a.effort,
        a.effort_points,
        a.grade_entered
    from grades a
    join dim_assessment_point p using (school_code, assessment_point)
    join dim_subject s using (school_code, subject_code)
    left join int_grade_scale g on g.scale_code = s.grade_scale and g.label = a.grade
    left join (select distinct scale_code, grade_width, sublevel_width from int_grade_scale) w
        on w.scale_code = s.grade_scale
)

select * from placed
where year_group between ks_first_year(key_stage) and ks_first_year(key_stage) + ks_years(key_stage) - 1
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, subject_code, upn
