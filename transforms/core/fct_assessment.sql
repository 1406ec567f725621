-- One grade: pupil x subject x assessment point x grade type, with its points
-- on the subject's scale and the pupil's year group and class at the time.
with assessments as (
    select * from stg_assessments
),

points as (
    select * from dim_assessment_point
),

scales as (
    select scale_code, label, cast(points as double) as points, cast(rank as integer) as scale_rank
    from ref_grade_scales
),

-- One class per pupil, subject and year (a pupil who moved sets is counted in the last one).
class_of as (
    select school_code, academic_year, subject_code, upn,
           max(class_code) as class_code, max(teacher_code) as teacher_code
    from fct_class_membership
    group by all
),

final as (
    select
        a.school_code,
        a.upn,
        a.subject_code,
        a.assessment_point,
        a.grade_type,
        p.academic_year,
        p.term,
        p.point_date,
        p.point_sequence,
        -- Year group at the time, from the year group the pupil record gives.
        pu.year_group - (academic_year_start(pu.year_group_academic_year) - p.academic_year_start) as year_group,
        c.class_code,
        c.teacher_code,
        a.grade,
        g.points as grade_points,
        a.effort,
        e.points as effort_points,
        a.grade is not null as grade_entered,
        a.batch_id
    from assessments a
    join points p using (school_code, assessment_point)
    join dim_subject s using (school_code, subject_code)
    join dim_pupil pu using (school_code, upn)
    left join scales g on g.scale_code = s.grade_scale and g.label = a.grade
    left join scales e on e.scale_code = coalesce(s.effort_scale, 'effort_1_4') and e.label = a.effort
    left join class_of c
        on c.school_code = a.school_code and c.academic_year = p.academic_year
        and c.subject_code = a.subject_code and c.upn = a.upn
)

select * from final
