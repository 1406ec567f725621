-- Progress: one row per pupil x subject x assessment point (working-at grades),
-- against the progress target for that point and the end-of-key-stage target in
-- force on the point's date (so a target changed mid-year moves the progress
-- targets of the points after the change, and earlier points keep theirs).
--
-- The progress target follows the key stage's method (progress.ksN_method):
-- straight   a straight line from the pupil's first working-at grade in the key
--            stage (its baseline) to the end target (2008 guide, "flat line");
-- sublevels  the baseline plus progress.sublevels_per_year sub-levels a year
--            (2005 guide, KS3 convention); it does not depend on the target;
-- learned    the path the school's own past pupils took (int_learned_trajectory),
--            from the baseline to the end target; a straight line where the
--            school has too little history (progress_method says which was used).
with working_at as (
    select * from int_ks_grade where grade_type = 'working_at'
),

targets as (
    select school_code, upn, subject_code, grade, grade_points, set_on, set_by, reason, is_current
    from fct_target
    where target_kind = 'target'
),

current_targets as (
    select school_code, upn, subject_code, grade as current_target, grade_points as current_target_points
    from targets where is_current
),

-- The pupil's baseline in each key-stage run: their first working-at grade in it.
baselines as (
    select school_code, upn, subject_code, ks_end_year,
           arg_min(points, point_sequence) as baseline_points,
           arg_min(term_index, point_sequence) as baseline_index
    from working_at
    where grade_entered
    group by all
),

-- The learned curve each subject uses: its own if complete, else its key stage's pooled curve.
curves as (
    select school_code, key_stage, subject_code, count(*) as terms
    from int_learned_trajectory
    group by all
),

with_target as (
    select
        w.*,
        t.grade as target,
        t.grade_points as target_points,
        t.set_on as target_set_on,
        t.set_by as target_set_by,
        b.baseline_points,
        b.baseline_index,
        setting('progress.ks' || w.key_stage || '_method') as chosen_method,
        case
            when own.terms = w.end_index then w.subject_code
            when pooled.terms = w.end_index then '*'
        end as curve
    from working_at w
    asof left join targets t
        on t.school_code = w.school_code and t.upn = w.upn and t.subject_code = w.subject_code
        and t.set_on <= w.point_date
    left join baselines b
        on b.school_code = w.school_code and b.upn = w.upn and b.subject_code = w.subject_code
        and b.ks_end_year = w.ks_end_year
    left join curves own
        on own.school_code = w.school_code and own.key_stage = w.key_stage and own.subject_code = w.subject_code
    left join curves pooled
        on pooled.school_code = w.school_code and pooled.key_stage = w.key_stage and pooled.subject_code = '*'
),

fractions as (
    select
        x.*,
        -- A learned curve needs one covering the key stage, and a baseline before its end.
        case when x.chosen_method = 'learned' and (x.curve is null or coalesce(base.fraction, 0) >= 1)
             then 'straight' else x.chosen_method end as method_used,
        -- Share of the journey from the start of the key stage to its end, at this
        -- point (f_now) and at the pupil's baseline (f_base).
        coalesce(now.fraction, (x.term_index - 1) / (x.end_index - 1)) as f_now_learned,
        coalesce(base.fraction, (x.baseline_index - 1) / (x.end_index - 1)) as f_base_learned,
        (x.term_index - 1) / (x.end_index - 1) as f_now_straight,
        (x.baseline_index - 1) / (x.end_index - 1) as f_base_straight
    from with_target x
    left join int_learned_trajectory now
        on x.chosen_method = 'learned' and now.school_code = x.school_code and now.key_stage = x.key_stage
        and now.subject_code = x.curve and now.term_index = x.term_index
    left join int_learned_trajectory base
        on x.chosen_method = 'learned' and base.school_code = x.school_code and base.key_stage = x.key_stage
        and base.subject_code = x.curve and base.term_index = x.baseline_index
),

targeted as (
    select
        f.*,
        case
            when f.baseline_points is null or f.term_index < f.baseline_index then null
            when f.method_used = 'sublevels' then
                f.baseline_points
                + setting_num('progress.sublevels_per_year') * f.sublevel_width * (f.term_index - f.baseline_index) / 3.0
            when f.target_points is null then null
            when f.method_used = 'learned' then
                f.baseline_points + (f.target_points - f.baseline_points)
                    * (f.f_now_learned - f.f_base_learned) / (1 - f.f_base_learned)
            when f.baseline_index >= f.end_index then f.target_points
            else
                f.baseline_points + (f.target_points - f.baseline_points)
                    * (f.f_now_straight - f.f_base_straight) / (1 - f.f_base_straight)
        end as progress_target_points
    from fractions f
),

gaps as (
    select
        t.*,
        round((t.points - t.progress_target_points) / t.grade_width, 2) as gap_grades
    from targeted t
),

-- How the pupil does in the subject against their own other subjects of the key stage at the point, each
-- grade in grades of its own scale (points / grade_width, to 12 places, added as a decimal: the residual is
-- then the same however the rows are added up). The subject residual mart is these rows. Kept here so the
-- Subjects and Explore pages read a residual with the grade rather than joining a mart of the same size.
residuals as (
    select
        g.*,
        case when g.grade_entered then cast(g.points / g.grade_width as decimal(38, 12)) end as grade_value,
        sum(case when g.grade_entered then cast(g.points / g.grade_width as decimal(38, 12)) end) over pupil_point
            as grades_all,
        count(case when g.grade_entered then 1 end) over pupil_point as subjects_all
    from gaps g
    window pupil_point as (partition by g.school_code, g.upn, g.assessment_point, g.key_stage)
),

previous as (
    select school_code, upn, subject_code, point_sequence,
           lag(points) over (partition by school_code, upn, subject_code order by point_sequence)
               as previous_working_at_points
    from working_at
    where grade_entered
),

final as (
    select
        g.school_code,
        g.upn,
        g.subject_code,
        s.subject_name,
        s.name_order as subject_order,
        g.assessment_point,
        g.academic_year,
        g.point_date,
        g.point_sequence,
        g.year_group,
        g.key_stage,
        g.ks_end_year,
        g.term_index,
        g.class_code,
        g.teacher_code,
        t.staff_name as teacher_name,
        g.grade_scale,
        g.grade as working_at,
        g.points as working_at_points,
        g.effort,
        g.effort_points,
        g.target,
        g.target_points,
        g.target_set_on,
        g.target_set_by,
        c.current_target,
        c.current_target_points,
        g.baseline_points,
        case when g.progress_target_points is not null then g.method_used end as progress_method,
        round(g.progress_target_points, 4) as progress_target_points,
        g.gap_grades,
        case
            when g.gap_grades is null then null
            when g.gap_grades > setting_num('progress.on_track_tolerance_grades') then 'ahead'
            when g.gap_grades >= -setting_num('progress.on_track_tolerance_grades') then 'on_track'
            when g.gap_grades > -setting_num('progress.well_below_grades') then 'below'
            else 'well_below'
        end as status,
        p.previous_working_at_points,
        case
            when g.points is null or p.previous_working_at_points is null then null
            when g.points > p.previous_working_at_points then 'up'
            when g.points = p.previous_working_at_points then 'same'
            else 'down'
        end as movement,
        cast(round(g.grade_value, 4) as double) as grade_value,
        case when g.grade_entered and g.subjects_all > 1 then g.subjects_all - 1 end as other_subjects,
        case when g.grade_entered and g.subjects_all > 1
             then round(cast(g.grades_all - g.grade_value as double) / (g.subjects_all - 1), 4) end
            as other_subjects_mean_grades,
        case when g.grade_entered and g.subjects_all > 1
             then round(cast(g.subjects_all * g.grade_value - g.grades_all as double) / (g.subjects_all - 1), 4) end
            as residual_grades
    from residuals g
    left join current_targets c using (school_code, upn, subject_code)
    left join previous p using (school_code, upn, subject_code, point_sequence)
    -- Names with the grade: the pages list a subject's or a pupil's grades by them, and read them here rather
    -- than joining two tables to every query (a pupil's grades 3.8 -> 2.5 ms, a school's 1.9 ms quicker).
    join dim_subject s on s.school_code = g.school_code and s.subject_code = g.subject_code   -- each has one
    left join dim_staff t on t.school_code = g.school_code and t.staff_code = g.teacher_code
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, upn, subject_code
