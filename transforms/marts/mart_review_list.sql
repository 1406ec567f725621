-- Review lists (2005 guide, Table 3) at each drop: the pupils to discuss, each
-- with the rule that put them there and the reason in words. Thresholds are
-- the review.* settings.
-- concern       effort:      poor effort (the lower half of the effort scale, e.g.
--                            3 or 4 on 1-4, x on tick/o/x) in review.poor_effort_subjects or more subjects;
--               below_target: below or well below the progress target in
--                            review.below_target_subjects or more subjects;
--               uneven:      best and weakest subjects review.uneven_range_grades or more grades apart;
--               attendance:  attendance this academic year, to the drop's date, below
--                            review.poor_attendance_pct.
-- commendation  effort:      the top effort grade in review.good_effort_subjects or more subjects;
--               progress:    ahead of the progress target in review.ahead_subjects or more subjects.
with progress as (
    select p.*, s.effort_scale
    from mart_progress p
    join dim_subject s using (school_code, subject_code)
    join dim_assessment_point ap using (school_code, assessment_point)
    where ap.point_kind = 'drop'
),

effort_top as (
    select scale_code, max(points) as top_points from int_grade_scale where kind = 'effort' group by all
),

per_pupil as (
    select
        p.school_code, p.assessment_point, p.upn,
        any_value(p.year_group) as year_group,
        any_value(p.point_date) as point_date,
        any_value(p.academic_year) as academic_year,
        list(p.subject_name order by p.subject_name)
            filter (where p.effort_points <= e.top_points / 2) as poor_effort,
        list(p.subject_name order by p.subject_name)
            filter (where p.effort_points = e.top_points) as top_effort,
        list(p.subject_name order by p.subject_name)
            filter (where p.status in ('below', 'well_below')) as below_target,
        list(p.subject_name order by p.subject_name) filter (where p.status = 'ahead') as ahead
    from progress p
    left join effort_top e on e.scale_code = coalesce(p.effort_scale, 'effort_1_4')
    group by p.school_code, p.assessment_point, p.upn
),

spread as (
    select
        p.school_code, p.assessment_point, p.upn,
        arg_max(p.subject_name || ' ' || p.working_at, p.working_at_points / w.grade_width) as best,
        arg_min(p.subject_name || ' ' || p.working_at, p.working_at_points / w.grade_width) as weakest,
        max(p.working_at_points / w.grade_width) - min(p.working_at_points / w.grade_width) as range_grades
    from progress p
    join (select distinct scale_code, grade_width from int_grade_scale) w on w.scale_code = p.grade_scale
    where p.working_at_points is not null
    group by p.school_code, p.assessment_point, p.upn, p.key_stage
),

-- Attendance this academic year up to the drop: register marks to its date,
-- and the summaries that count (int_attendance_summary_used) ending by then.
attendance_counts as (
    select pp.school_code, pp.assessment_point, pp.upn,
           count(*) filter (where m.is_possible) as possible_sessions,
           count(*) filter (where m.is_present) as present_sessions
    from per_pupil pp
    join fct_attendance_session m
        on m.school_code = pp.school_code and m.upn = pp.upn
        and m.academic_year = pp.academic_year and m.session_date <= pp.point_date
    group by all
    union all
    select pp.school_code, pp.assessment_point, pp.upn, s.possible_sessions, s.present_sessions
    from per_pupil pp
    join int_attendance_summary_used s
        on s.school_code = pp.school_code and s.upn = pp.upn
        and academic_year_of(s.from_date) = pp.academic_year and s.to_date <= pp.point_date
),

attendance as (
    select school_code, assessment_point, upn,
           100.0 * sum(present_sessions) / nullif(sum(possible_sessions), 0) as attendance_pct
    from attendance_counts
    group by all
),

rules as (
    select school_code, assessment_point, upn, year_group, 'concern' as list, 'effort' as rule,
           len(poor_effort) as subjects,
           'poor effort in ' || len(poor_effort) || ' subjects: ' || array_to_string(poor_effort, ', ') as reason
    from per_pupil where len(poor_effort) >= setting_num('review.poor_effort_subjects')
    union all
    select school_code, assessment_point, upn, year_group, 'concern', 'below_target',
           len(below_target),
           'below target in ' || len(below_target) || ' subjects: ' || array_to_string(below_target, ', ')
    from per_pupil where len(below_target) >= setting_num('review.below_target_subjects')
    union all
    select p.school_code, p.assessment_point, p.upn, p.year_group, 'concern', 'uneven', null,
           'uneven: best ' || s.best || ', weakest ' || s.weakest
               || ' (' || round(s.range_grades, 1) || ' grades apart)'
    from per_pupil p
    join spread s using (school_code, assessment_point, upn)
    where s.range_grades >= setting_num('review.uneven_range_grades')
    union all
    select p.school_code, p.assessment_point, p.upn, p.year_group, 'concern', 'attendance', null,
           'attendance ' || round(a.attendance_pct, 1) || '% this year'
    from per_pupil p
    join attendance a using (school_code, assessment_point, upn)
    where a.attendance_pct < setting_num('review.poor_attendance_pct')
    union all
    select school_code, assessment_point, upn, year_group, 'commendation', 'effort', len(top_effort),
           'top effort in ' || len(top_effort) || ' subjects: ' || array_to_string(top_effort, ', ')
    from per_pupil where len(top_effort) >= setting_num('review.good_effort_subjects')
    union all
    select school_code, assessment_point, upn, year_group, 'commendation', 'progress', len(ahead),
           'ahead of target in ' || len(ahead) || ' subjects: ' || array_to_string(ahead, ', ')
    from per_pupil where len(ahead) >= setting_num('review.ahead_subjects')
)

select * from rules
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, upn
