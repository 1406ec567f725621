-- Each current target of a pupil on roll in a subject of their current key stage, with the 2008 guide's anomaly flags:
-- target_below_prediction   below the prediction named in measures.target_check_prediction
--                           (an imported estimate's source such as FFT50, or school_history);
-- target_already_attained   at or below a grade the pupil has already reached in the key stage
--                           (working-at, mock or final);
-- target_not_challenging    the pupil was ahead of their progress target at each of the
--                           latest progress.not_challenging_points points since the
--                           target was set: suggest raising it.
with targets as (
    select t.*
    from fct_target t
    join dim_pupil p using (school_code, upn)
    join dim_subject s using (school_code, subject_code)
    where t.target_kind = 'target' and t.is_current and p.on_roll
      and p.year_group between ks_first_year(s.key_stage) and ks_first_year(s.key_stage) + ks_years(s.key_stage) - 1
),

chosen_prediction as (
    select school_code, upn, subject_code, method, source, predicted_grade, predicted_grade_points
    from mart_prediction
    where (method = 'school_history' and setting('measures.target_check_prediction') = 'school_history')
       or (method = 'imported' and source = setting('measures.target_check_prediction'))
),

-- The pupil's latest key-stage run in the subject, and the best grade reached in it.
runs as (
    select school_code, upn, subject_code, max(ks_end_year) as ks_end_year
    from int_ks_grade
    group by all
),

attained as (
    select g.school_code, g.upn, g.subject_code,
           max(g.points) as best_attained_points,
           arg_max(g.grade, g.points) as best_attained
    from int_ks_grade g
    join runs r using (school_code, upn, subject_code, ks_end_year)
    where g.grade_entered and g.grade_type in ('working_at', 'mock', 'final')
    group by all
),

-- The latest points since the current target was set (a target already raised starts afresh).
recent as (
    select m.school_code, m.upn, m.subject_code, m.status,
           row_number() over (partition by m.school_code, m.upn, m.subject_code order by m.point_sequence desc)
               as recency
    from mart_progress m
    join targets t using (school_code, upn, subject_code)
    where m.working_at_points is not null and m.point_date >= t.set_on
),

streaks as (
    select school_code, upn, subject_code,
           count(*) filter (where status = 'ahead') as ahead_latest
    from recent
    where recency <= setting_num('progress.not_challenging_points')
    group by all
),

flagged as (
    select
        t.school_code,
        t.upn,
        t.subject_code,
        t.grade as target,
        t.grade_points as target_points,
        t.set_by,
        t.set_on,
        t.reason,
        p.method || coalesce(' ' || case when p.method = 'imported' then p.source end, '') as prediction_method,
        p.predicted_grade,
        p.predicted_grade_points,
        a.best_attained,
        a.best_attained_points,
        -- Against the predicted grade as shown, not its unrounded points.
        coalesce(t.grade_points < p.predicted_grade_points, false) as target_below_prediction,
        coalesce(t.grade_points <= a.best_attained_points, false) as target_already_attained,
        coalesce(s.ahead_latest >= setting_num('progress.not_challenging_points'), false) as target_not_challenging
    from targets t
    left join chosen_prediction p using (school_code, upn, subject_code)
    left join attained a using (school_code, upn, subject_code)
    left join streaks s using (school_code, upn, subject_code)
),

final as (
    select
        *,
        concat_ws('; ',
            case when target_below_prediction
                 then 'below the ' || prediction_method || ' prediction (' || predicted_grade || ')' end,
            case when target_already_attained
                 then 'already reached ' || best_attained end,
            case when target_not_challenging
                 then 'ahead of the progress target at the latest points: consider raising it' end
        ) as flags
    from flagged
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, upn, subject_code
