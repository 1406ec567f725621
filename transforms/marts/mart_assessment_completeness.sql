-- Who still has to enter grades: for each drop and class, the pupils with a
-- working-at grade and those without. A class is expected at a drop when its
-- subject has working-at grades for that year group at that drop. Pupils who had
-- left by the drop's date are not expected.
with expected as (
    select distinct school_code, assessment_point, academic_year, point_date, subject_code, year_group
    from fct_assessment
    where grade_type = 'working_at' and grade_entered
),

members as (
    select m.school_code, m.academic_year, m.class_code, m.subject_code, m.teacher_code, m.upn,
           p.year_group - (academic_year_start(p.year_group_academic_year) - academic_year_start(m.academic_year))
               as year_group,
           p.leaving_date
    from fct_class_membership m
    join dim_pupil p using (school_code, upn)
),

grades as (
    select school_code, assessment_point, subject_code, upn
    from fct_assessment
    where grade_type = 'working_at' and grade_entered
),

final as (
    select
        e.school_code,
        e.assessment_point,
        e.academic_year,
        m.class_code,
        e.subject_code,
        s.subject_name,
        m.teacher_code,
        t.staff_name as teacher_name,
        e.year_group,
        count(*) as pupils,
        count(g.upn) as grades_entered,
        count(*) - count(g.upn) as grades_missing,
        round(100.0 * count(g.upn) / count(*), 1) as pct_entered
    from expected e
    join members m
        on m.school_code = e.school_code and m.academic_year = e.academic_year
        and m.subject_code = e.subject_code
        and (m.leaving_date is null or m.leaving_date >= e.point_date) and m.year_group = e.year_group
    left join grades g
        on g.school_code = e.school_code and g.assessment_point = e.assessment_point
        and g.subject_code = e.subject_code and g.upn = m.upn
    left join dim_subject s on s.school_code = e.school_code and s.subject_code = e.subject_code
    left join dim_staff t on t.school_code = e.school_code and t.staff_code = m.teacher_code
    group by all
)

select * from final
