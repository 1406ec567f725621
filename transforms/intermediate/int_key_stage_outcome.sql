-- Where each pupil ended a key stage in a subject: the final (exam) result for
-- KS4 and KS5; the working-at grade at the key stage's last drop (summer of
-- Year 9) for KS3, which has no exams. Only key stages that have ended have a row.
with grades as (
    select * from int_ks_grade where grade_entered
),

final as (
    select
        school_code,
        upn,
        subject_code,
        key_stage,
        ks_end_year,
        case
            when key_stage = '3' then max(points) filter (where grade_type = 'working_at' and term_index = end_index)
            else max(points) filter (where grade_type = 'final')
        end as outcome_points
    from grades
    group by school_code, upn, subject_code, key_stage, ks_end_year
)

select * from final where outcome_points is not null
