-- Each KS4 pupil's qualifications at each assessment point, on each basis:
-- working_at, predicted and mock from the grades imported at the point; final
-- from the final results of the key stage up to the point (an early entry in
-- Year 10 counts in Year 11; a subject sat twice counts its first result, the
-- DfE's first-entry rule); target from the targets in force on the point's date. Points are Attainment 8
-- points (int_grade_scale.a8_points: whole GCSE grades, DfE points for other
-- qualifications). Pupils are those in Years 10 and 11 at the point.
with grades as (
    select school_code, upn, assessment_point, point_sequence, academic_year, point_date, year_group,
           grade_type as basis, subject_code, grade, a8_points
    from int_ks_grade
    where key_stage = '4' and grade_entered and grade_type in ('working_at', 'predicted', 'mock', 'final')
),

-- Points at which each pupil had KS4 working-at grades: the target basis is shown there.
pupil_points as (
    select distinct school_code, upn, assessment_point, point_sequence, academic_year, point_date, year_group
    from grades
    where basis = 'working_at'
),

targets as (
    select pp.school_code, pp.upn, pp.assessment_point, pp.point_sequence, pp.academic_year, pp.point_date,
           pp.year_group, 'target' as basis, t.subject_code,
           arg_max(t.grade, (t.set_on, t.batch_id)) as grade
    from pupil_points pp
    join fct_target t
        on t.school_code = pp.school_code and t.upn = pp.upn
        and t.target_kind = 'target' and t.set_on <= pp.point_date
    -- Only subjects the pupil takes that year (a dropped subject's target no longer counts).
    join (select distinct school_code, upn, academic_year, subject_code from grades where basis = 'working_at') taken
        on taken.school_code = t.school_code and taken.upn = t.upn and taken.subject_code = t.subject_code
        and taken.academic_year = pp.academic_year
    group by all
),

finals as (
    select f.school_code, f.upn, f.assessment_point, f.point_sequence, f.academic_year, f.point_date,
           f.year_group, 'final' as basis, e.subject_code,
           arg_min(e.grade, e.point_sequence) as grade,
           arg_min(e.a8_points, e.point_sequence) as a8_points
    from (select distinct school_code, upn, assessment_point, point_sequence, academic_year, point_date, year_group
          from grades where basis = 'final') f
    join grades e
        on e.school_code = f.school_code and e.upn = f.upn and e.basis = 'final'
        and e.point_sequence <= f.point_sequence
    group by all
),

entries as (
    select * from grades where basis <> 'final'
    union all by name
    select * from finals
    union all by name
    select t.*, g.a8_points
    from targets t
    join dim_subject s using (school_code, subject_code)
    left join int_grade_scale g on g.scale_code = s.grade_scale and g.label = t.grade
),

final as (
    select e.*, s.ebacc_category, coalesce(s.a8_eligible, false) as a8_eligible
    from entries e
    join dim_subject s using (school_code, subject_code)
    where e.year_group in (10, 11) and e.a8_points is not null
)

select * from final
